"""Three languages: Nynorsk is offered, dates and numbers follow the language (English en-GB style),
e-mails follow the organisation's written form from the register, else the recipient's own choice."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import formats, translation

from agreements.pricing import _kr, _number
from core import mail
from core.models import OutboundEmail
from enhetsregisteret.records import parse_unit, written_form_of

DAY = dt.datetime(2026, 12, 4, 19, 5)


@pytest.mark.parametrize(
    ("language", "long", "short", "weekday"),
    [
        ("nb", "4. desember 2026 19:05", "04.12.2026", "fredag"),
        ("nn", "4. desember 2026 19:05", "04.12.2026", "fredag"),
        ("en", "4 December 2026 19:05", "04/12/2026", "Friday"),
    ],
)
def test_dates_follow_the_language_with_a_24_hour_clock_and_day_before_month(
    language: str, long: str, short: str, weekday: str
) -> None:
    with translation.override(language):
        assert formats.date_format(DAY, "DATETIME_FORMAT") == long
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(DAY, "l") == weekday


@pytest.mark.parametrize(
    ("language", "units", "price", "amount"),
    [("nb", "35\xa0600", "1,20", "42\xa0720\xa0kr"), ("nn", "35\xa0600", "1,20", "42\xa0720\xa0kr"),
     ("en", "35,600", "1.20", "42,720\xa0kr")],
)  # fmt: skip
def test_prices_use_the_languages_separators(language: str, units: str, price: str, amount: str) -> None:
    with translation.override(language):
        assert _number(35600) == units
        assert _number(Decimal("1.2"), 2) == price
        assert _kr(Decimal("42720")) == amount


@pytest.mark.django_db
def test_nynorsk_is_offered_in_the_language_picker(client: Any) -> None:
    page = client.get("/help/", headers={"accept-language": "nn"}).content.decode()
    assert '<option value="nn" lang="nn"' in page


def test_the_nynorsk_catalogue_speaks_nynorsk() -> None:
    with translation.override("nn"):
        assert translation.gettext("Norwegian Nynorsk") == "Norsk nynorsk"
        assert translation.gettext("Security") == "Tryggleik"
        assert translation.pgettext("button: sign up for an event", "Register") == "Meld meg på"
        assert translation.pgettext("noun: data from the official register", "Register") == "Registeropplysningar"
        assert translation.ngettext(
            "%(count)s agreement must be re-signed", "%(count)s agreements must be re-signed", 1
        ) == ("%(count)s avtale må signerast på nytt")


@pytest.mark.parametrize(
    ("raw", "code"), [("Bokmål", "nb"), ("Nynorsk", "nn"), (" nynorsk ", "nn"), ("", ""), (None, ""), ("Samisk", "")]
)
def test_the_register_s_maalform_becomes_a_language_code(raw: Any, code: str) -> None:
    assert written_form_of(raw) == code


def test_a_parsed_unit_carries_its_written_form() -> None:
    unit = parse_unit({"organisasjonsnummer": "974760673", "navn": "X", "maalform": "Nynorsk"})
    assert unit is not None and unit.written_form == "nn"


@pytest.fixture
def rendered_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rendered part is just the language it was rendered in."""
    monkeypatch.setattr(mail, "render_to_string", lambda name, context, using=None: translation.get_language())


@pytest.mark.usefixtures("rendered_in")
def test_mail_to_an_organisation_uses_its_written_form(world: Any) -> None:
    org = world.org_a
    org.written_form = "nn"
    org.save(update_fields=["written_form"])
    world["admin_a"].language = "en"
    world["admin_a"].save(update_fields=["language"])
    mail.mail_queue(template="x", recipients=["admin.a@example.no"], context={"organisation": org}, key="t1")
    assert OutboundEmail.objects.get(key="t1:admin.a@example.no").subject == "nn"


@pytest.mark.usefixtures("rendered_in")
def test_mail_without_a_written_form_follows_each_recipients_choice(world: Any) -> None:
    world["admin_a"].language = "en"
    world["admin_a"].save(update_fields=["language"])
    mail.mail_queue(
        template="x", recipients=["admin.a@example.no", "member.a@example.no"], context={"org": world.org_a}, key="t2"
    )
    assert OutboundEmail.objects.get(key="t2:admin.a@example.no").subject == "en"
    assert OutboundEmail.objects.get(key="t2:member.a@example.no").subject == "nb"  # no choice: the default


@pytest.mark.usefixtures("rendered_in")
def test_an_explicit_language_wins(world: Any) -> None:
    world.org_a.written_form = "nn"
    world.org_a.save(update_fields=["written_form"])
    mail.mail_queue(
        template="x", recipients=["admin.a@example.no"], context={"organisation": world.org_a}, key="t3", language="en"
    )
    assert OutboundEmail.objects.get(key="t3:admin.a@example.no").subject == "en"


def test_the_language_picker_saves_a_logged_in_persons_choice(world: Any, login: Any) -> None:
    response = login(world["member_a"]).post("/language/", {"language": "nn", "next": "/"})
    assert response.status_code == 302
    world["member_a"].refresh_from_db()
    assert world["member_a"].language == "nn"
    assert response.cookies["django_language"].value == "nn"


def test_an_unknown_language_is_not_saved(world: Any, login: Any) -> None:
    login(world["member_a"]).post("/language/", {"language": "xx", "next": "/"})
    world["member_a"].refresh_from_db()
    assert world["member_a"].language == ""

"""The signing status: figures as of a day (Europe/Oslo), progress and forecast, the staff and
coordinator dashboard, the list of who has not signed (with "remind now" and the CSV export), and the
public page and JSON.

Pages are read in English (Accept-Language: en) so that the assertions do not depend on the state of
the Norwegian catalogue. The clock is frozen at NOW for every test that goes through a view ("today"
is the default as-of day, and the forms refuse dates after it).

The scene used by the view tests (terms T1 published 15 January 2027, deadline 31 March 2027):

    municipality          county     Diginettverk     signed (Oslo time)
    Ringsaker  (A, 3411)  Innlandet  Digi Innlandet   1 Feb 2027 10:00
    Lillehammer (3405)    Innlandet  Digi Innlandet   8 Mar 2027 11:00
    Bergen     (B, 4601)  Vestland   DigiVestland     9 Mar 2027 23:30  (22:30 UTC: counts on the 9th)
    Gjøvik     (3407)     Innlandet  Digi Innlandet  10 Mar 2027 00:30  (23:30 UTC on the 9th: counts on the 10th)
    Sogndal    (4640)     Vestland   Digi Sogn        not signed
    Bergen Legesenter AS  (AS, in Bergen)             not signed
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core.models import AuditEvent, OutboundEmail
from core.roles import OrganisationRoleType
from dashboards import status
from dashboards.status import Figure
from lib.csvsafe import read_csv
from memberships.models import ReminderLog, Signature, TermsVersion
from memberships.services import Authority, membership_for, record_signature
from organisations.choices import OrganisationForm, RegisterStatus
from organisations.models import Organisation, OrganisationRole
from organisations.tests.factories import (
    CountyFactory,
    DiginettverkFactory,
    MunicipalityFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2027, 3, 20, 10, 15, tzinfo=OSLO)  # 09:15 UTC
PUBLISHED = dt.datetime(2027, 1, 15, 10, 0, tzinfo=OSLO)
SIGN_BY = dt.date(2027, 3, 31)
EN = {"accept-language": "en"}

STATUS = reverse("dashboards:status")
MISSING = reverse("dashboards:missing")
MISSING_CSV = reverse("dashboards:missing_csv")
PUBLIC = reverse("dashboards:public_status")
JSON = reverse("dashboards:status_json")

# Measured with CaptureQueriesContext (see the query-count tests): the same for 5 and for 40 municipalities.
# Every staff page also reads the second-factor device the session passed (django-otp checks it still exists).
# Status page: session, user, the staff's second-factor device, the current version, national figure, progress total, progress per day,
# per Diginettverk, per county, enterprises, per form, the version <select>, and services and orders
# (2 national, 2 each per county, Diginettverk and form).
STATUS_QUERIES = 21
# With a compare date: the two groupings once more.
STATUS_QUERIES_WITH_COMPARE = 23
# Missing list: session, user, second-factor device, current version, paginator count, the page (with county and membership
# joined, the last reminder as a subquery), and the contacts (one prefetch with their users).
MISSING_QUERIES = 7
# The CSV: the same without the paginator count, and the export's audit event (a savepoint, the chain's last
# event, the insert, the release; on PostgreSQL also the chain's advisory lock).
MISSING_CSV_QUERIES = 10 + (connection.vendor == "postgresql")


# ----------------------------------------------------------------------------------------- helpers


def sign_at(version: TermsVersion, organisation: Any, when: dt.datetime, signer: Any = None) -> Signature:
    """A real signature (sealed PDF, membership change, audit) recorded at ``when``."""
    signer = signer or UserFactory()
    grant = OrganisationRole.objects.filter(user=signer, organisation=organisation, role="signatory").first()
    if grant is None:
        grant = OrganisationRole.objects.create(
            user=signer, organisation=organisation, role="signatory", signatory_basis="signature_right"
        )
    authority = Authority(grant=grant, basis=grant.signatory_basis, text="Signaturrett")
    return record_signature(
        organisation=organisation, version=version, signer=signer, authority=authority, signed_at=when, notify=False
    )


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def page_text(response: Any) -> str:
    """The text of <main>, whitespace collapsed."""
    doc = lxml.html.fromstring(response.content.decode())
    return " ".join(doc.xpath("//main")[0].text_content().split())


def table(response: Any, caption_id: str) -> tuple[list[str], list[list[str]]]:
    """(header, body rows) of the table whose <caption> has ``caption_id``, as whitespace-collapsed text."""
    doc = lxml.html.fromstring(response.content.decode())
    (element,) = doc.xpath(f'//table[caption[@id="{caption_id}"]]')

    def cells(row: Any) -> list[str]:
        return [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]

    return cells(element.xpath("./thead/tr")[0]), [cells(row) for row in element.xpath("./tbody/tr")]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())  # Excel with Norwegian settings reads UTF-8
    return read_csv(response.content)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def version(clock: Any, world: Any, terms: Any) -> TermsVersion:
    """T1 (municipalities and AS), published 15 January 2027 with the deadline 31 March 2027."""
    TermsVersion.objects.filter(pk=terms.published.pk).update(published_at=PUBLISHED, sign_by=SIGN_BY)
    terms.published.refresh_from_db()
    return terms.published


@pytest.fixture
def scene(version: TermsVersion, world: Any) -> dict[str, Any]:
    """The municipalities and signatures of the module docstring."""
    innlandet, vestland = world.municipality_a.county, world.municipality_b.county
    digi_innlandet = world.municipality_a.diginettverk
    digi_sogn = DiginettverkFactory(name="Digi Sogn")
    lillehammer = MunicipalityFactory(number="3405", name="Lillehammer", county=innlandet, diginettverk=digi_innlandet)
    gjovik = MunicipalityFactory(number="3407", name="Gjøvik", county=innlandet, diginettverk=digi_innlandet)
    sogndal = MunicipalityFactory(number="4640", name="Sogndal", county=vestland, diginettverk=digi_sogn)
    signers = {
        "A": world["admin_a"],
        "C": UserFactory(email="lise.lillehammer@example.no", full_name="Lise Lillehammer"),
        "B": UserFactory(email="berit.signatar@example.no", full_name="Berit Signatar"),
        "D": UserFactory(email="gard.gjovik@example.no", full_name="Gard Gjøvik"),
    }
    sign_at(version, world.org_a, oslo(2027, 2, 1, 10), signers["A"])
    sign_at(version, lillehammer.organisation, oslo(2027, 3, 8, 11), signers["C"])
    sign_at(version, world.org_b, oslo(2027, 3, 9, 23, 30), signers["B"])
    sign_at(version, gjovik.organisation, oslo(2027, 3, 10, 0, 30), signers["D"])
    # Sogndal's contacts: an administrator, a signatory, and a deactivated administrator (not a contact).
    solveig = UserFactory(email="solveig@sogndal.example.no", full_name="Solveig Sogn")
    RoleFactory(user=solveig, organisation=sogndal.organisation, role=OrganisationRoleType.ADMIN)
    RoleFactory(
        user=UserFactory(email="sindre@sogndal.example.no", full_name="Sindre Signatar"),
        organisation=sogndal.organisation,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis="general_manager",
    )
    RoleFactory(
        user=UserFactory(email="gone@sogndal.example.no", full_name="Gaute Gått", is_active=False),
        organisation=sogndal.organisation,
        role=OrganisationRoleType.ADMIN,
    )
    return {
        "lillehammer": lillehammer.organisation,
        "gjovik": gjovik.organisation,
        "sogndal": sogndal.organisation,
        "digi_sogn": digi_sogn,
        "signers": signers,
        "contacts": [solveig],
    }


# ------------------------------------------------------------------------------------------ figures


def test_a_signature_counts_from_the_day_it_was_made_in_oslo_time(version: TermsVersion, world: Any) -> None:
    late_evening = sign_at(version, world.org_a, oslo(2027, 3, 9, 23, 30))
    after_midnight = sign_at(version, world.org_b, oslo(2027, 3, 10, 0, 30))
    # In UTC both were made on 9 March: only Oslo time tells them apart.
    assert late_evening.signed_at.astimezone(dt.UTC).date() == dt.date(2027, 3, 9)
    assert after_midnight.signed_at.astimezone(dt.UTC).date() == dt.date(2027, 3, 9)

    def national(day: dt.date) -> tuple[int, int]:
        (figure,) = status.figures(version, Organisation.objects.all(), day, forms=["KOMM"])
        return figure.signed, figure.total

    assert national(dt.date(2027, 3, 8)) == (0, 2)
    assert national(dt.date(2027, 3, 9)) == (1, 2)  # 23:30 on 9 March counts for 9 March
    assert national(dt.date(2027, 3, 10)) == (2, 2)  # 00:30 on 10 March does not count for 9 March


def test_a_signature_moved_by_a_queryset_update_is_counted_on_its_new_day(
    version: TermsVersion, terms: Any, world: Any
) -> None:
    from conftest import sign_for

    assert terms.published == version
    signature = sign_for(world, terms, world.org_a, world["admin_a"])
    Signature.objects.filter(pk=signature.pk).update(signed_at=oslo(2027, 2, 28, 23, 59))
    scope = Organisation.objects.all()

    assert status.figures(version, scope, dt.date(2027, 2, 27), forms=["KOMM"])[0].signed == 0
    assert status.figures(version, scope, dt.date(2027, 2, 28), forms=["KOMM"])[0].signed == 1


def test_figures_group_by_county_diginettverk_and_form(
    scene: dict[str, Any], version: TermsVersion, world: Any
) -> None:
    scope = Organisation.objects.all()
    day = dt.date(2027, 3, 9)  # A, Lillehammer and Bergen have signed; Gjøvik signs the next day

    counties = status.figures(version, scope, day, group_by="county", forms=["KOMM"])
    assert [(f.key, f.label, f.signed, f.total, f.percent) for f in counties] == [
        ("34", "Innlandet", 2, 3, 67),
        ("46", "Vestland", 1, 2, 50),
    ]
    networks = status.figures(version, scope, day, group_by="diginettverk", forms=["KOMM"])
    assert [(f.key, f.label, f.signed, f.total) for f in networks] == [
        (world.municipality_a.diginettverk_id, "Digi Innlandet", 2, 3),
        (scene["digi_sogn"].pk, "Digi Sogn", 0, 1),
        (world.municipality_b.diginettverk_id, "DigiVestland", 1, 1),
    ]
    from django.utils import translation

    with translation.override("en"):
        forms = status.figures(version, scope, day, group_by="form")
    assert [(f.key, f.label, f.signed, f.total) for f in forms] == [
        ("AS", "Limited company", 0, 1),  # Bergen Legesenter AS
        ("KOMM", "Municipality", 3, 5),
    ]
    # Without grouping: one row, and the forms filter.
    assert [(f.signed, f.total) for f in status.figures(version, scope, day)] == [(3, 6)]
    assert [(f.signed, f.total) for f in status.figures(version, scope, day, forms=["AS"])] == [(0, 1)]


def test_only_the_forms_the_version_requires_count(version: TermsVersion, world: Any) -> None:
    OrganisationFactory(form=OrganisationForm.ENK)  # T1 requires KOMM and AS only
    OrganisationFactory(form=OrganisationForm.HF)
    scope = Organisation.objects.all()

    assert [(f.key, f.total) for f in status.figures(version, scope, NOW.date(), group_by="form")] == [
        ("AS", 1),
        ("KOMM", 2),
    ]


@pytest.mark.parametrize(
    ("signed", "total", "percent"),
    [
        (306, 357, 86),
        (2, 3, 67),
        (1, 3, 33),
        (999, 1000, 99),
        (356, 357, 99),
        (1, 1000, 1),
        (357, 357, 100),
        (0, 357, 0),
        (0, 0, 0),
    ],
)
def test_the_share_is_rounded_never_100_until_everyone_signed(signed: int, total: int, percent: int) -> None:
    figure = Figure(None, "", signed, total)
    assert figure.percent == percent
    assert figure.decile == percent // 10 * 10
    assert figure.missing == total - signed


def test_the_share_from_the_database_is_rounded_too(version: TermsVersion, world: Any) -> None:
    third = MunicipalityFactory().organisation
    sign_at(version, world.org_a, oslo(2027, 2, 1))
    sign_at(version, third, oslo(2027, 2, 2))

    (figure,) = status.figures(version, Organisation.objects.all(), NOW.date(), forms=["KOMM"])

    assert (figure.signed, figure.total, figure.percent) == (2, 3, 67)  # 66.67 % rounded


def test_deleted_organisations_are_left_out_signed_or_not(version: TermsVersion, world: Any) -> None:
    sign_at(version, world.org_b, oslo(2027, 2, 1))
    gone_unsigned = MunicipalityFactory().organisation
    scope = Organisation.objects.all()
    assert [(f.signed, f.total) for f in status.figures(version, scope, NOW.date(), forms=["KOMM"])] == [(1, 3)]

    world.org_b.register_status = RegisterStatus.DELETED
    world.org_b.save(update_fields=["register_status"])
    gone_unsigned.register_status = RegisterStatus.DELETED
    gone_unsigned.save(update_fields=["register_status"])

    assert [(f.signed, f.total) for f in status.figures(version, scope, NOW.date(), forms=["KOMM"])] == [(0, 1)]
    counties = status.figures(version, scope, NOW.date(), group_by="county", forms=["KOMM"])
    assert [f.label for f in counties] == ["Innlandet"]  # Bergen's county had only the deleted one
    assert status.progress(version, scope, NOW.date(), forms=["KOMM"]).total == 1
    # A bankrupt organisation still has to sign: only "deleted" drops out.
    world.org_b.register_status = RegisterStatus.BANKRUPT
    world.org_b.save(update_fields=["register_status"])
    assert [(f.signed, f.total) for f in status.figures(version, scope, NOW.date(), forms=["KOMM"])] == [(1, 2)]


# --------------------------------------------------------------------------------- progress, forecast


@pytest.fixture
def ten(version: TermsVersion, world: Any) -> list[Any]:
    """Ten municipalities (A, B and eight more) and six signatures up to 1 March 2027, one after it:

    20 Jan ×2, 15 Feb (the first day outside the 14-day window ending 1 March), 16 Feb, 20 Feb,
    1 Mar 23:30, and 2 Mar (after "as of 1 March")."""
    organisations = [world.org_a, world.org_b] + [MunicipalityFactory().organisation for _ in range(8)]
    moments = [
        oslo(2027, 1, 20, 9),
        oslo(2027, 1, 20, 15),
        oslo(2027, 2, 15, 23, 59),
        oslo(2027, 2, 16, 0, 1),
        oslo(2027, 2, 20),
        oslo(2027, 3, 1, 23, 30),
        oslo(2027, 3, 2, 8),
    ]
    for organisation, moment in zip(organisations, moments, strict=False):
        sign_at(version, organisation, moment)
    return organisations


def test_progress_counts_cumulatively_per_day_from_publication(ten: list[Any], version: TermsVersion) -> None:
    scope = Organisation.objects.all()
    progress = status.progress(version, scope, dt.date(2027, 3, 1), forms=["KOMM"])
    days = dict(progress.days)

    assert progress.days[0] == (dt.date(2027, 1, 15), 0)  # the publication day, from zero
    assert progress.days[-1] == (dt.date(2027, 3, 1), 6)  # as of: the 2 March signature is not there
    assert len(progress.days) == (dt.date(2027, 3, 1) - dt.date(2027, 1, 15)).days + 1
    assert [day for day, _n in progress.days] == sorted(days)
    assert (days[dt.date(2027, 1, 19)], days[dt.date(2027, 1, 20)], days[dt.date(2027, 1, 21)]) == (0, 2, 2)
    assert (days[dt.date(2027, 2, 15)], days[dt.date(2027, 2, 16)], days[dt.date(2027, 2, 20)]) == (3, 4, 5)
    counts = [n for _day, n in progress.days]
    assert counts == sorted(counts), "the cumulative line never falls"
    assert progress.total == 10
    assert progress.deadline == SIGN_BY


def test_the_pace_is_the_last_14_days_and_gives_the_forecast(ten: list[Any], version: TermsVersion) -> None:
    progress = status.progress(version, Organisation.objects.all(), dt.date(2027, 3, 1), forms=["KOMM"])

    # The window is 16 Feb – 1 Mar: 16 Feb 00:01, 20 Feb and 1 Mar 23:30; 15 Feb 23:59 is one day outside.
    assert progress.pace_per_day == pytest.approx(3 / 14)
    # 4 left at 3/14 a day: 18.67 days, so 19 days after 1 March.
    assert progress.forecast == dt.date(2027, 3, 20)
    assert progress.on_time is True
    assert progress.done is False


def test_a_forecast_after_the_deadline_is_not_on_time(ten: list[Any], version: TermsVersion) -> None:
    TermsVersion.objects.filter(pk=version.pk).update(sign_by=dt.date(2027, 3, 19))
    version.refresh_from_db()

    progress = status.progress(version, Organisation.objects.all(), dt.date(2027, 3, 1), forms=["KOMM"])

    assert progress.forecast == dt.date(2027, 3, 20)
    assert progress.on_time is False
    # On the deadline day itself is still on time.
    TermsVersion.objects.filter(pk=version.pk).update(sign_by=dt.date(2027, 3, 20))
    version.refresh_from_db()
    assert status.progress(version, Organisation.objects.all(), dt.date(2027, 3, 1), forms=["KOMM"]).on_time


def test_nobody_signed_in_14_days_means_no_forecast(ten: list[Any], version: TermsVersion) -> None:
    # As of 14 February: the last signatures were on 20 January.
    progress = status.progress(version, Organisation.objects.all(), dt.date(2027, 2, 14), forms=["KOMM"])

    assert progress.days[-1] == (dt.date(2027, 2, 14), 2)
    assert progress.pace_per_day == 0
    assert progress.forecast is None  # "not at this pace"
    assert progress.on_time is False
    assert progress.done is False


def test_done_when_everyone_has_signed(ten: list[Any], version: TermsVersion) -> None:
    for index, organisation in enumerate(ten[7:]):
        sign_at(version, organisation, oslo(2027, 3, 3 + index))  # 3, 4 and 5 March: the last one

    scope = Organisation.objects.all()
    progress = status.progress(version, scope, dt.date(2027, 3, 10), forms=["KOMM"])

    assert progress.days[-1] == (dt.date(2027, 3, 10), 10)
    assert progress.done is True
    assert progress.on_time is True
    assert progress.forecast == dt.date(2027, 3, 5)  # the day the last one signed
    # The day before the last signature, not done yet.
    assert status.progress(version, scope, dt.date(2027, 3, 4), forms=["KOMM"]).done is False


def test_progress_before_publication_is_empty(ten: list[Any], version: TermsVersion) -> None:
    progress = status.progress(version, Organisation.objects.all(), dt.date(2027, 1, 1), forms=["KOMM"])
    assert progress.days == []
    assert progress.done is False
    assert progress.forecast is None


# ------------------------------------------------------------------------------------ the staff page


def test_the_status_page_shows_the_headline_figures(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(STATUS, headers=EN)

    assert response.status_code == 200
    text = page_text(response)
    assert "4 of 5 municipalities have signed (80 %) as of 20 March 2027" in text
    assert "Terms T1, deadline 31 March 2027." in text
    assert "Health enterprises (ENK and AS): 0 of 1 have signed." in text
    # 3 in the last 14 days, 1 left: 14/3 = 4.67, so 5 days after 20 March.
    assert "At the pace of the last two weeks, everyone will have signed by 25 March 2027: before the deadline." in text
    assert "See the 1 municipality that has not signed" in text
    assert response.context["national"] == Figure(None, "", 4, 5)
    _header, networks = table(response, "networks-caption")
    assert networks == [
        ["Digi Innlandet", "3", "3", "100 %"],
        ["Digi Sogn", "0", "1", "0 %"],
        ["DigiVestland", "1", "1", "100 %"],
    ]
    _header, counties = table(response, "counties-caption")
    assert counties == [["Innlandet", "3", "3", "100 %"], ["Vestland", "1", "2", "50 %"]]
    _header, forms = table(response, "forms-caption")
    assert forms == [["Limited company", "0", "1", "0 %"], ["Municipality", "4", "5", "80 %"]]
    # The chart has a text alternative with the same figures, and the weekly table ends on the as-of day.
    assert "4 of 5 municipalities had signed on 20.03.2027" in response.content.decode()
    _header, weekly = table(response, "weekly-caption")
    assert weekly[0][1] == "0" and weekly[-1][1] == "4"


def test_as_of_a_past_day(scene: dict[str, Any], world: Any, login: Any) -> None:
    client = login(world["membership_manager"])

    on_the_9th = page_text(client.get(STATUS, {"as_of": "2027-03-09"}, headers=EN))
    on_the_10th = page_text(client.get(STATUS, {"as_of": "2027-03-10"}, headers=EN))
    on_the_1st = page_text(client.get(STATUS, {"as_of": "2027-03-01"}, headers=EN))

    assert "3 of 5 municipalities have signed (60 %) as of 9 March 2027" in on_the_9th
    assert "4 of 5 municipalities have signed (80 %) as of 10 March 2027" in on_the_10th
    assert "1 of 5 municipalities have signed (20 %) as of 1 March 2027" in on_the_1st
    assert "Not at this pace: nobody has signed in the last two weeks." in on_the_1st


def test_a_forecast_after_the_deadline_says_so(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    TermsVersion.objects.filter(pk=version.pk).update(sign_by=dt.date(2027, 3, 12))

    text = page_text(login(world["membership_manager"]).get(STATUS, {"as_of": "2027-03-10"}, headers=EN))

    # 3 signatures 25 Feb – 10 Mar, 1 left: 5 days after 10 March, past the deadline of 12 March.
    assert "Not at this pace: everyone will have signed around 15 March 2027, after the deadline." in text


def test_everyone_signed_says_so(scene: dict[str, Any], version: TermsVersion, world: Any, login: Any) -> None:
    sign_at(version, scene["sogndal"], oslo(2027, 3, 15))

    text = page_text(login(world["membership_manager"]).get(STATUS, headers=EN))

    assert "5 of 5 municipalities have signed (100 %)" in text
    assert "Everyone has signed." in text


def test_compare_shows_before_and_change_per_group(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(
        STATUS, {"as_of": "2027-03-10", "compare": "2027-03-01"}, headers=EN
    )

    assert response.status_code == 200
    header, networks = table(response, "networks-caption")
    assert header == ["Diginettverk", "Signed", "Total", "Share", "Signed on 01/03/2027", "Change"]
    assert networks == [
        ["Digi Innlandet", "3", "3", "100 %", "1", "+2"],
        ["Digi Sogn", "0", "1", "0 %", "0", "0"],
        ["DigiVestland", "1", "1", "100 %", "0", "+1"],
    ]
    header, counties = table(response, "counties-caption")
    assert header[-2:] == ["Signed on 01/03/2027", "Change"]
    assert counties == [
        ["Innlandet", "3", "3", "100 %", "1", "+2"],
        ["Vestland", "1", "2", "50 %", "0", "+1"],
    ]
    rows = {row["now"].label: row for row in response.context["groups"]["diginettverk"]}
    assert (rows["Digi Innlandet"]["before"].signed, rows["Digi Innlandet"]["change"]) == (1, 2)


def test_a_compare_day_after_the_as_of_day_shows_a_negative_change(
    scene: dict[str, Any], world: Any, login: Any
) -> None:
    """Regression: the change column printed "+-2"."""
    response = login(world["membership_manager"]).get(
        STATUS, {"as_of": "2027-03-01", "compare": "2027-03-10"}, headers=EN
    )

    _header, networks = table(response, "networks-caption")
    assert networks[0] == ["Digi Innlandet", "1", "3", "33 %", "3", "-2"]
    assert "+-" not in response.content.decode()


def test_the_change_column_is_not_called_switch_in_norwegian(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(
        STATUS, {"as_of": "2027-03-10", "compare": "2027-03-01"}, headers={"accept-language": "nb"}
    )

    header, _rows = table(response, "networks-caption")
    assert header[-1] != "Bytt"


def test_without_compare_there_are_no_compare_columns(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(STATUS, {"as_of": "2027-03-10"}, headers=EN)

    header, _rows = table(response, "networks-caption")
    assert header == ["Diginettverk", "Signed", "Total", "Share"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"as_of": "9999-01-01"}, "as_of"),
        ({"as_of": "2027-03-21"}, "as_of"),  # tomorrow
        ({"as_of": "1999-12-31"}, "as_of"),
        ({"as_of": "abc"}, "as_of"),
        ({"as_of": "2027-02-30"}, "as_of"),
        ({"as_of": "99999-01-01"}, "as_of"),
        ({"as_of": "2027-03-10", "compare": "abc"}, "compare"),
        ({"as_of": "2027-03-10", "compare": "9999-01-01"}, "compare"),
        ({"version": "abc"}, "version"),
        ({"version": "999999"}, "version"),
    ],
)
def test_invalid_parameters_give_a_form_error_not_a_500(
    scene: dict[str, Any], world: Any, login: Any, query: dict[str, str], field: str
) -> None:
    client = login(world["membership_manager"])
    client.raise_request_exception = False

    response = client.get(STATUS, query, headers=EN)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    doc = lxml.html.fromstring(response.content.decode())
    assert doc.xpath('//div[@class="error-summary"]'), "no error summary"
    assert doc.xpath(f'//p[@class="field-error"][@id="id_{field}_error_1"]')
    # The page falls back to today's figures.
    assert "4 of 5 municipalities have signed (80 %) as of 20 March 2027" in page_text(response)


def test_the_date_error_text(scene: dict[str, Any], world: Any, login: Any) -> None:
    text = page_text(login(world["membership_manager"]).get(STATUS, {"as_of": "9999-01-01"}, headers=EN))
    assert "Choose a date between 1 January 2000 and today." in text
    text = page_text(login(world["membership_manager"]).get(STATUS, {"as_of": "abc"}, headers=EN))
    assert "Enter a valid date." in text


def test_a_draft_version_cannot_be_chosen(scene: dict[str, Any], terms: Any, world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(STATUS, {"version": terms.draft.pk}, headers=EN)

    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    assert response.context["version"] == terms.published


def test_a_coordinator_sees_only_the_municipalities_of_their_network(
    scene: dict[str, Any], world: Any, login: Any
) -> None:
    client = login(world["coordinator_a"])

    response = client.get(STATUS, {"as_of": "2027-03-09"}, headers=EN)

    assert response.status_code == 200
    # Digi Innlandet: Ringsaker, Lillehammer and Gjøvik; on 9 March Gjøvik had not signed. Bergen had,
    # but it is not in the network and is not counted.
    assert response.context["national"] == Figure(None, "", 2, 3)
    text = page_text(response)
    assert "2 of 3 municipalities have signed (67 %) as of 9 March 2027" in text
    assert "Health enterprises (ENK and AS): 0 of 0 have signed." in text
    _header, networks = table(response, "networks-caption")
    assert networks == [["Digi Innlandet", "2", "3", "67 %"]]
    _header, counties = table(response, "counties-caption")
    assert counties == [["Innlandet", "2", "3", "67 %"]]
    for name in ("Bergen", "Sogndal", "Vestland", "DigiVestland", "Digi Sogn"):
        assert name not in text
    assert response.context["progress"].total == 3


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "admin_b", "deactivated_a"])
def test_members_may_not_see_the_status_page(scene: dict[str, Any], world: Any, login: Any, persona: str) -> None:
    client = login(world[persona])
    for url in (STATUS, MISSING, MISSING_CSV):
        response = client.get(url)
        if persona == "deactivated_a":
            assert response.status_code == 302  # a deactivated account is not logged in at all
        else:
            assert response.status_code == 403, url


def test_anonymous_is_sent_to_the_login_page(scene: dict[str, Any], client: Any) -> None:
    for url in (STATUS, MISSING, MISSING_CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["customer_centre", "cert_analyst", "system_admin", "superuser"])
def test_every_staff_role_sees_the_status(scene: dict[str, Any], world: Any, login: Any, persona: str) -> None:
    response = login(world[persona]).get(STATUS)
    assert response.status_code == 200
    assert response.context["national"] == Figure(None, "", 4, 5)


def test_without_published_terms_the_page_says_so(clock: Any, world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(STATUS, headers=EN)
    assert response.status_code == 200
    assert "No terms have been published yet." in page_text(response)
    assert login(world["membership_manager"]).get(MISSING).status_code == 404
    assert login(world["membership_manager"]).get(MISSING_CSV).status_code == 404


# ----------------------------------------------------------------------------------- query counts


def _more_municipalities(version: TermsVersion, count: int, start: int) -> None:
    """Municipalities in new counties and networks, each with an administrator and a membership; every
    other one signed, every third one reminded."""
    for index in range(start, start + count):
        organisation = MunicipalityFactory(
            county=CountyFactory(number=f"{50 + index}", name=f"Fylke {index}"),
            diginettverk=DiginettverkFactory(name=f"Nettverk {index:02d}"),
        ).organisation
        RoleFactory(user=UserFactory(), organisation=organisation, role=OrganisationRoleType.ADMIN)
        membership_for(organisation)
        if index % 2:
            sign_at(version, organisation, oslo(2027, 2, 1) + dt.timedelta(days=index))
        elif index % 3 == 0:
            ReminderLog.objects.create(organisation=organisation, terms_version=version, step="30")


def test_the_status_page_needs_the_same_number_of_queries_for_5_and_40_municipalities(
    version: TermsVersion, world: Any, login: Any, django_assert_num_queries: Any
) -> None:
    sign_at(version, world.org_a, oslo(2027, 2, 1))
    _more_municipalities(version, 3, start=0)
    client = login(world["membership_manager"])
    client.get(STATUS)  # the session is warm
    assert Organisation.objects.filter(form="KOMM").count() == 5
    cache.clear()  # the cold path
    with django_assert_num_queries(STATUS_QUERIES):
        response = client.get(STATUS)
    assert response.context["national"].total == 5
    cache.clear()  # the cold path
    with django_assert_num_queries(STATUS_QUERIES_WITH_COMPARE):
        client.get(STATUS, {"as_of": "2027-03-10", "compare": "2027-02-10"})

    _more_municipalities(version, 35, start=3)

    assert Organisation.objects.filter(form="KOMM").count() == 40
    cache.clear()  # the cold path
    with django_assert_num_queries(STATUS_QUERIES):
        response = client.get(STATUS)
    assert response.context["national"].total == 40
    assert len(response.context["groups"]["county"]) > 30
    cache.clear()  # the cold path
    with django_assert_num_queries(STATUS_QUERIES_WITH_COMPARE):
        client.get(STATUS, {"as_of": "2027-03-10", "compare": "2027-02-10"})


def test_the_missing_list_needs_the_same_number_of_queries_for_5_and_40_municipalities(
    version: TermsVersion, world: Any, login: Any, django_assert_num_queries: Any
) -> None:
    _more_municipalities(version, 3, start=0)
    client = login(world["membership_manager"])
    client.get(MISSING)  # the session is warm
    cache.clear()  # the cold path: the current version is read too
    with django_assert_num_queries(MISSING_QUERIES):
        response = client.get(MISSING)
    assert response.context["page"].paginator.count == 5  # A, B, two unsigned new ones, and the AS
    cache.clear()
    with django_assert_num_queries(MISSING_CSV_QUERIES):
        assert len(csv_rows(client.get(MISSING_CSV))) == 1 + 5

    _more_municipalities(version, 35, start=3)

    assert Organisation.objects.filter(form="KOMM").count() == 40
    cache.clear()  # the cold path: the current version is read too
    with django_assert_num_queries(MISSING_QUERIES):
        response = client.get(MISSING)
    # 22 unsigned (A, B, 19 of the new ones and the AS), each with a contact, several with a membership
    # and a reminder: rendered on one page without a query per row.
    assert response.context["page"].paginator.count == 22
    assert len(response.context["page"].object_list) == 22
    cache.clear()
    with django_assert_num_queries(MISSING_CSV_QUERIES):
        assert len(csv_rows(client.get(MISSING_CSV))) == 1 + 22


# ------------------------------------------------------------------------------------- missing list


def test_the_missing_list_shows_who_has_not_signed_with_contacts(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    ReminderLog.objects.create(organisation=scene["sogndal"], terms_version=version, step="14")

    response = login(world["membership_manager"]).get(MISSING, headers=EN)

    assert response.status_code == 200
    assert [org.name for org in response.context["page"].object_list] == ["Bergen Legesenter AS", "Sogndal"]
    text = page_text(response)
    assert "2 organisations have not signed" in text
    header, rows = table(response, "missing-caption")
    assert header == ["Name", "County", "Membership", "Contacts", "Last reminder", "Actions"]
    assert rows[0] == [
        "Bergen Legesenter AS",
        "Vestland",
        "–",
        "Nobody to notify: add an administrator or signatory on the organisation's page, or ask the organisation "
        "to register one.",
        "–",
        "–",  # nobody to remind: no button
    ]
    assert rows[1][:3] == ["Sogndal", "Vestland", "–"]
    assert sorted(rows[1][3].split(", ")) == ["Sindre Signatar", "Solveig Sogn"]
    assert rows[1][4] == "20/03/2027 10:15"  # the reminder, in Oslo time (09:15 UTC)
    assert rows[1][5] == "Remind Sogndal now"
    html = response.content.decode()
    assert 'href="mailto:solveig@sogndal.example.no"' in html
    assert "Gaute Gått" not in html  # a deactivated person is no contact
    for name in ("Ringsaker", "Lillehammer", "Gjøvik"):
        assert name not in text
    assert f'action="{reverse("dashboards:remind", args=[scene["sogndal"].pk])}"' in html


def test_the_dashboard_links_each_figure_to_its_own_part_of_the_missing_list(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    client = login(world["membership_manager"])
    doc = lxml.html.fromstring(client.get(STATUS, headers=EN).content.decode())
    links = {a.text_content().strip(): a.get("href") for a in doc.xpath("//a[contains(@href, '/status/missing/')]")}
    municipal = links["See the 1 municipality that has not signed"]
    enterprises = links["See the 1 health enterprise that has not signed"]

    response = client.get(municipal, headers=EN)
    assert [org.name for org in response.context["page"].object_list] == ["Sogndal"]  # as many as it said
    assert "1 organisation has not signed" in page_text(response)
    html = response.content.decode()
    assert f'href="{MISSING_CSV}?version={version.pk}&amp;who=municipalities"' in html  # the exports follow
    assert '<input type="hidden" name="who" value="municipalities">' in html  # and so does "remind now"
    nav = lxml.html.fromstring(html).xpath('//nav[@class="filter-tabs"]//a[@aria-current="page"]')
    assert [a.text_content() for a in nav] == ["Municipalities"]

    response = client.get(enterprises, headers=EN)
    assert [org.name for org in response.context["page"].object_list] == ["Bergen Legesenter AS"]
    exported = csv_rows(client.get(MISSING_CSV, {"version": version.pk, "who": "enterprises"}))
    assert [row[0] for row in exported[1:]] == ["Bergen Legesenter AS"]
    # Anything else shows everyone.
    response = client.get(MISSING, {"version": version.pk, "who": "<script>"}, headers=EN)
    assert len(response.context["page"].object_list) == 2

    # A reminder sent from the municipalities' list comes back to it.
    response = client.post(
        reverse("dashboards:remind", args=[scene["sogndal"].pk]), {"version": version.pk, "who": "municipalities"}
    )
    assert response["Location"] == f"{MISSING}?version={version.pk}&who=municipalities"


def test_only_managers_get_remind_buttons(scene: dict[str, Any], world: Any, login: Any) -> None:
    for persona, may in [
        ("membership_manager", True),
        ("system_admin", True),
        ("customer_centre", False),
        ("cert_analyst", False),
    ]:
        response = login(world[persona]).get(MISSING, headers=EN)
        assert response.status_code == 200
        assert ("Remind Sogndal now" in response.content.decode()) is may, persona


def test_a_coordinators_missing_list_is_their_network(version: TermsVersion, world: Any, login: Any) -> None:
    response = login(world["coordinator_a"]).get(MISSING, headers=EN)

    assert [org.name for org in response.context["page"].object_list] == ["Ringsaker"]
    assert "Bergen" not in page_text(response)
    assert "Remind" not in response.content.decode()


def test_remind_now_queues_emails_logs_the_step_and_audits(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    sogndal = scene["sogndal"]
    manager = world["membership_manager"]
    url = reverse("dashboards:remind", args=[sogndal.pk])

    response = login(manager).post(url, {"version": version.pk}, headers=EN, follow=True)

    assert response.redirect_chain == [(f"{MISSING}?version={version.pk}", 302)]
    assert messages_of(response) == ["A reminder is on its way to Sogndal."]
    queued = OutboundEmail.objects.order_by("to")
    assert [mail.to for mail in queued] == ["sindre@sogndal.example.no", "solveig@sogndal.example.no"]
    assert all("manual-2027-03-20" in mail.key for mail in queued)
    assert list(ReminderLog.objects.filter(organisation=sogndal).values_list("step", flat=True)) == [
        "manual-2027-03-20"
    ]
    event = AuditEvent.objects.get(action="membership.reminded")
    assert (event.actor, event.organisation_id, event.object_id) == (manager, sogndal.pk, str(sogndal.pk))
    assert event.after == {"terms_version": "T1", "emails": 2}
    # The list shows the reminder.
    _header, rows = table(response, "missing-caption")
    assert [row[4] for row in rows if row[0] == "Sogndal"] == ["20/03/2027 10:15"]


def test_a_second_reminder_the_same_day_sends_nothing(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any, clock: Any
) -> None:
    client = login(world["membership_manager"])
    url = reverse("dashboards:remind", args=[scene["sogndal"].pk])
    first = client.post(url, {"version": version.pk}, headers=EN, follow=True)
    assert messages_of(first) == ["A reminder is on its way to Sogndal."]
    clock.move_to(oslo(2027, 3, 20, 23, 59))
    client = login(world["membership_manager"])  # sessions last 8 hours

    response = client.post(url, {"version": version.pk}, headers=EN, follow=True)

    assert messages_of(response) == ["Sogndal has signed or was already reminded today."]
    assert OutboundEmail.objects.count() == 2
    assert ReminderLog.objects.filter(organisation=scene["sogndal"]).count() == 1
    assert AuditEvent.objects.filter(action="membership.reminded").count() == 1

    # The next day (Oslo time) it may be reminded again.
    clock.move_to(oslo(2027, 3, 21, 0, 1))
    login(world["membership_manager"]).post(url, {"version": version.pk})
    assert OutboundEmail.objects.count() == 4
    assert sorted(ReminderLog.objects.filter(organisation=scene["sogndal"]).values_list("step", flat=True)) == [
        "manual-2027-03-20",
        "manual-2027-03-21",
    ]


def test_a_signed_organisation_is_not_reminded(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    response = login(world["membership_manager"]).post(
        reverse("dashboards:remind", args=[world.org_a.pk]), {"version": version.pk}, headers=EN, follow=True
    )

    assert messages_of(response) == ["Ringsaker has signed or was already reminded today."]
    assert not OutboundEmail.objects.exists()
    assert not ReminderLog.objects.exists()
    assert not AuditEvent.objects.filter(action="membership.reminded").exists()


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("customer_centre", 403),
        ("cert_analyst", 403),
        ("coordinator_a", 403),  # sees Ringsaker, may not remind
        ("admin_a", 403),  # administers Ringsaker, may not remind
        ("admin_b", 404),  # cannot see Ringsaker
    ],
)
def test_others_may_not_remind(version: TermsVersion, world: Any, login: Any, persona: str, code: int) -> None:
    response = login(world[persona]).post(reverse("dashboards:remind", args=[world.org_a.pk]), {"version": version.pk})

    assert response.status_code == code
    assert not OutboundEmail.objects.exists()
    assert not ReminderLog.objects.exists()


def test_remind_is_post_only_and_needs_a_published_version(
    version: TermsVersion, terms: Any, world: Any, login: Any
) -> None:
    client = login(world["membership_manager"])
    client.raise_request_exception = False
    url = reverse("dashboards:remind", args=[world.org_b.pk])

    assert client.get(url, {"version": version.pk}).status_code == 405
    assert client.post(url, {"version": terms.draft.pk}).status_code == 404
    assert client.post(url).status_code == 404
    # Regression: a non-numeric version was a ValueError (500).
    for bad in ("abc", "", "1.5", "99999999999999999999999"):
        assert client.post(url, {"version": bad}).status_code == 404, bad
    assert client.post(reverse("dashboards:remind", args=[99999999])).status_code == 404
    assert not OutboundEmail.objects.exists()
    assert client.post(url, {"version": version.pk}).status_code == 302
    assert OutboundEmail.objects.filter(to="admin.b@example.no").count() == 1


def test_remind_needs_the_csrf_token(version: TermsVersion, world: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["membership_manager"], backend="accounts.backends.PortalBackend")

    response = client.post(reverse("dashboards:remind", args=[world.org_b.pk]), {"version": version.pk})

    assert response.status_code == 403
    assert not OutboundEmail.objects.exists()


# ---------------------------------------------------------------------------------------- CSV export

DANGEROUS_NAMES = [
    '=HYPERLINK("http://x","y")',
    "+47 Legesenter AS",
    "-1+1 AS",
    "@SUM(A1) AS",
    "\tTab AS",
    "\rCR AS",
    " =1+1 AS",  # a leading space before =
    "   @cmd AS",
]
HARMLESS_NAMES = [
    'Legesenter "Sentrum" AS',  # quotes
    "Fjord Helse AS\nAvdeling Nord",  # a newline inside
    "Komma, Semikolon; AS",
    "Helse-Vest AS",  # a - inside is fine
    "Ærlig Øye Å AS",
]


def test_the_csv_has_a_header_and_a_row_per_missing_organisation(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    ReminderLog.objects.create(organisation=scene["sogndal"], terms_version=version, step="14")
    membership_for(scene["sogndal"])

    response = login(world["membership_manager"]).get(MISSING_CSV, headers=EN)

    rows = csv_rows(response)
    assert response["Content-Disposition"] == 'attachment; filename="ikke-signert-T1.csv"'
    assert rows[0] == [
        "Name",
        "Organisation number",
        "Organisation form",
        "County",
        "Membership",
        "Contacts",
        "Last reminder",
    ]
    assert rows[1:] == [
        ["Bergen Legesenter AS", world.enterprise_b.org_number, "Limited company", "Vestland", "", "", ""],
        [
            "Sogndal",
            scene["sogndal"].org_number,
            "Municipality",
            "Vestland",
            "Not a member",
            "sindre@sogndal.example.no; solveig@sogndal.example.no",
            "2027-03-20 10:15",
        ],
    ]
    assert response.content.endswith(b"\r\n")


def test_formula_cells_are_neutralised_and_text_round_trips(version: TermsVersion, world: Any, login: Any) -> None:
    organisations = {name: OrganisationFactory(name=name) for name in DANGEROUS_NAMES + HARMLESS_NAMES}

    rows = csv_rows(login(world["membership_manager"]).get(MISSING_CSV, headers=EN))

    by_number = {row[1]: row for row in rows[1:]}
    assert all(len(row) == 7 for row in rows)
    for name in DANGEROUS_NAMES:
        assert by_number[organisations[name].org_number][0] == "'" + name, repr(name)
    for name in HARMLESS_NAMES:
        assert by_number[organisations[name].org_number][0] == name, repr(name)
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)


def test_the_csv_is_rfc_4180(version: TermsVersion, world: Any, login: Any) -> None:
    OrganisationFactory(name='Legesenter "Sentrum" AS')
    OrganisationFactory(name="Fjord Helse AS\nAvdeling Nord")

    body = login(world["membership_manager"]).get(MISSING_CSV).content.decode()

    assert '"Legesenter ""Sentrum"" AS"' in body  # quotes doubled inside a quoted field
    assert '"Fjord Helse AS\nAvdeling Nord"' in body  # a line break only inside quotes
    # Every record ends in CRLF, the bare LF in the name stays inside its quotes: header + 5 records
    # (Ringsaker, Bergen, Bergen Legesenter AS and the two above).
    assert body.count("\r\n") == 1 + 5
    assert len(read_csv(body)) == 1 + 5


def test_a_coordinators_export_has_only_their_network(version: TermsVersion, world: Any, login: Any) -> None:
    for name in DANGEROUS_NAMES:
        OrganisationFactory(name=name)
    outside = MunicipalityFactory(name="Sogndal")  # another network

    rows = csv_rows(login(world["coordinator_a"]).get(MISSING_CSV, headers=EN))

    assert [row[0] for row in rows[1:]] == ["Ringsaker"]
    body = "\n".join(",".join(row) for row in rows)
    for absent in ("Bergen", "Sogndal", outside.organisation.org_number, world.org_b.org_number, "HYPERLINK"):
        assert absent not in body


def test_customer_centre_may_export_but_not_remind(version: TermsVersion, world: Any, login: Any) -> None:
    client = login(world["customer_centre"])
    assert len(csv_rows(client.get(MISSING_CSV))) == 1 + 3
    assert client.post(reverse("dashboards:remind", args=[world.org_b.pk]), {"version": version.pk}).status_code == 403


# ------------------------------------------------------------------------------------ public figures


def test_the_public_page_and_json_are_open_to_anyone(scene: dict[str, Any], client: Any) -> None:
    page = client.get(PUBLIC, headers=EN)
    data = client.get(JSON)

    assert page.status_code == 200
    assert data.status_code == 200
    assert data["Content-Type"] == "application/json"
    assert "4 of 5 municipalities have signed the membership terms T1 (80 %)." in page_text(page)
    assert "Figures as of 2027-03-20. Deadline: 2027-03-31." in page_text(page)


def test_the_json_has_the_national_county_and_network_figures(scene: dict[str, Any], client: Any) -> None:
    assert client.get(JSON).json() == {
        "terms_version": "T1",
        "date": "2027-03-20",
        "deadline": "2027-03-31",
        "municipalities": {"signed": 4, "total": 5, "percent": 80},
        "counties": [
            {"name": "Innlandet", "signed": 3, "total": 3, "percent": 100},
            {"name": "Vestland", "signed": 1, "total": 2, "percent": 50},
        ],
        "diginettverk": [
            {"name": "Digi Innlandet", "signed": 3, "total": 3, "percent": 100},
            {"name": "Digi Sogn", "signed": 0, "total": 1, "percent": 0},
            {"name": "DigiVestland", "signed": 1, "total": 1, "percent": 100},
        ],
    }


def test_the_json_of_a_past_day(scene: dict[str, Any], client: Any) -> None:
    data = client.get(JSON, {"date": "2027-03-09"}).json()

    assert data["date"] == "2027-03-09"
    assert data["municipalities"] == {"signed": 3, "total": 5, "percent": 60}
    assert data["counties"][0] == {"name": "Innlandet", "signed": 2, "total": 3, "percent": 67}
    assert client.get(JSON, {"date": "2027-03-10"}).json()["municipalities"]["signed"] == 4
    assert client.get(JSON, {"date": "2027-01-01"}).json()["municipalities"] == {"signed": 0, "total": 5, "percent": 0}
    assert client.get(JSON, {"date": ""}).json()["date"] == "2027-03-20"  # empty: today

    page = client.get(PUBLIC, {"date": "2027-03-09"}, headers=EN)
    assert "3 of 5 municipalities have signed the membership terms T1 (60 %)." in page_text(page)
    assert 'href="/status.json?date=2027-03-09"' in page.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "2027-02-30",
        "9999-01-01",
        "2027-03-21",
        "1999-12-31",
        "2027-03-10T00:00",
        "10.03.2027",
        "-1",
        "2027-3-9",
        "%00",
        "0000-00-00",
        "2027-03-10\x00",
    ],
)
def test_a_bad_date_is_a_400_never_a_500(scene: dict[str, Any], client: Any, bad: str) -> None:
    client.raise_request_exception = False

    data = client.get(JSON, {"date": bad})
    page = client.get(PUBLIC, {"date": bad}, headers=EN)

    assert data.status_code == 400
    assert data.json() == {"error": "date must be YYYY-MM-DD, from 2000-01-01 to today"}
    assert page.status_code == 400
    assert "The date must be written as YYYY-MM-DD, between 2000-01-01 and today." in page_text(page)


def test_no_person_is_named_in_the_public_figures(scene: dict[str, Any], world: Any, client: Any) -> None:
    people = [*scene["signers"].values(), *scene["contacts"], world["admin_b"], world["member_a"]]
    signature_names = list(Signature.objects.values_list("signer_name", flat=True))
    assert len(signature_names) == 4

    for response in (
        client.get(PUBLIC),
        client.get(PUBLIC, headers=EN),
        client.get(JSON),
        client.get(JSON, {"date": "2027-03-10"}),
    ):
        body = response.content.decode()
        for person in people:
            assert person.full_name not in body
            assert person.email not in body
        for name in signature_names:
            assert name not in body
    assert "@" not in client.get(JSON).content.decode()


def test_without_published_terms_the_json_is_404_and_the_page_says_so(clock: Any, world: Any, client: Any) -> None:
    assert client.get(JSON).status_code == 404
    assert client.get(JSON).json() == {"error": "no published terms"}
    page = client.get(PUBLIC, headers=EN)
    assert page.status_code == 200
    assert "No terms have been published yet." in page_text(page)


# --------------------------------------------------------------------------------------- the demo


def test_SLOW_45s_the_demo_round_shows_306_of_357_on_10_march_2025(db: None, client: Any, login: Any) -> None:
    """SLOW (~45 s): the full demo history, every signature sealed. The only test here that seeds it;
    deselect with ``-k "not SLOW"``."""
    from accounts.models import User

    call_command("load_reference_data", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    data = client.get(JSON, {"date": "2025-03-10"}).json()
    assert data["terms_version"] == "2025"
    assert data["municipalities"] == {"signed": 306, "total": 357, "percent": 86}
    assert sum(row["total"] for row in data["counties"]) == 357
    assert sum(row["signed"] for row in data["counties"]) == 306
    assert sum(row["signed"] for row in data["diginettverk"]) == 306

    nils = User.objects.get(email="nils@demo.medlemsportal.no")
    response = login(nils).get(STATUS, {"as_of": "2025-03-10"}, headers=EN)
    assert response.status_code == 200
    assert "306 of 357 municipalities have signed (86 %) as of 10 March 2025" in page_text(response)
    assert response.context["national"] == Figure(None, "", 306, 357)
    # Nobody signed on the webinar day itself: 9 March says the same.
    assert client.get(JSON, {"date": "2025-03-09"}).json()["municipalities"]["signed"] == 306
    # The map draws every demo municipality from its outline: 306 filled, 51 hatched, none without data.
    status_map = login(nils).get(reverse("dashboards:status_map"), {"as_of": "2025-03-10"}).context["status_map"]
    assert status_map.counts == {"signed": 306, "not_signed": 51}
    assert len(status_map.rows) == 357


def test_remind_now_says_so_when_there_is_no_one_to_remind(world: Any, terms: Any, login: Any) -> None:
    from core.models import OutboundEmail
    from memberships.models import ReminderLog

    enterprise = world.enterprise_b  # an AS with no people registered and no e-mail address
    response = login(world["membership_manager"]).post(
        reverse("dashboards:remind", args=[enterprise.pk]), {"version": terms.published.pk}, follow=True
    )
    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"])
    assert message.startswith(enterprise.name)
    assert "kontaktperson" in message
    assert not ReminderLog.objects.filter(organisation=enterprise).exists()
    assert not OutboundEmail.objects.exists()


def test_figures_are_cached_until_what_they_count_changes(
    version: TermsVersion, world: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    """The second look costs no aggregate query and draws nothing anew; a new signature shows at once."""

    def headline(response: Any) -> str:
        return lxml.html.fromstring(response.content).get_element_by_id("headline").text_content()

    _more_municipalities(version, 3, start=0)
    client = login(world["membership_manager"])
    first = client.get(STATUS, {"as_of": "2027-03-10"})
    signed = first.context["national"].signed
    with django_assert_max_num_queries(STATUS_QUERIES - 13):
        again = client.get(STATUS, {"as_of": "2027-03-10"})
    assert headline(again) == headline(first)
    assert "national" not in again.context  # served from the cache: the figures were not computed
    sign_at(version, world.org_a, oslo(2027, 2, 1))
    after = client.get(STATUS, {"as_of": "2027-03-10"})
    assert after.context["national"].signed == signed + 1
    assert headline(after) != headline(first)

"""Issue 19: an organisation counts on a date only if it existed and had to sign on that date; a register
import never moves a past day's figures; an ended organisation leaves every "must sign" figure, list and
reminder from the day it ended."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import time_machine

from dashboards import status
from dashboards.tests.test_status import NOW, OSLO, clock, oslo, sign_at, version  # noqa: F401 - fixtures
from enhetsregisteret import services as register
from enhetsregisteret.tests.records import unit_record, write_file
from memberships import rounds
from memberships.choices import MembershipState
from memberships.models import Membership, ReminderLog, TermsVersion
from organisations.models import Organisation
from organisations.tests.factories import OrganisationFactory

PAST = dt.date(2027, 3, 10)


def _numbers(terms_version: TermsVersion, day: dt.date) -> list[tuple[int, int]]:
    scope = Organisation.objects.all()
    grouped = status.figures(terms_version, scope, day, group_by="form")
    return [(f.signed, f.total) for f in grouped + status.figures(terms_version, scope, day)]


def test_a_register_import_leaves_a_past_day_unchanged(
    version: TermsVersion,  # noqa: F811
    world: Any,
    tmp_path: Path,
    manage: Any,
) -> None:
    from organisations.validators import with_check_digit

    sign_at(version, world.org_a, oslo(2027, 2, 1))
    before = _numbers(version, PAST)
    (today_before,) = status.figures(version, Organisation.objects.all(), NOW.date(), forms=["AS"])
    numbers = [with_check_digit(f"9{n:07d}") for n in (1234567, 7654321)]
    numbers = [n for n in numbers if n]
    path = write_file(tmp_path / "enheter_alle.json", [unit_record(n, name=f"NY {n} AS") for n in numbers])
    code, out, _err = manage("import_enhetsregisteret", "--quiet", str(path))
    assert code == 0, out
    assert Organisation.objects.filter(org_number__in=numbers).count() == len(numbers) > 0
    assert _numbers(version, PAST) == before
    # Today they count: they are in the register now and must sign.
    (today,) = status.figures(version, Organisation.objects.all(), NOW.date(), forms=["AS"])
    assert today.total == today_before.total + len(numbers)
    assert not status.missing_organisations(version, Organisation.objects.all(), PAST).filter(org_number__in=numbers)


def test_an_ended_organisation_leaves_figures_lists_and_reminders_from_the_day_it_ended(
    version: TermsVersion,  # noqa: F811
    world: Any,
) -> None:
    old = world.enterprise_b
    Membership.objects.create(organisation=old, state=MembershipState.INVITED)
    new = OrganisationFactory(name="Bergen Helse AS", form="AS")
    with time_machine.travel(dt.datetime(2027, 2, 20, 12, 0, tzinfo=OSLO), tick=False):
        register.record_merger(
            actor=world["membership_manager"],
            old=old,
            new=new,
            kind="change_of_owner",
            effective_date=dt.date(2027, 3, 1),
        )
        assert Membership.objects.get(organisation=old).state == MembershipState.INVITED  # scheduled
    with time_machine.travel(dt.datetime(2027, 3, 1, 1, 0, tzinfo=OSLO), tick=False):
        assert register.apply_due_mergers() == (1, [])
    scope = Organisation.objects.all()
    day_before = status.missing_organisations(version, scope, dt.date(2027, 2, 28))
    assert old in day_before
    assert old not in status.missing_organisations(version, scope, dt.date(2027, 3, 1))
    (before,) = status.figures(version, scope, dt.date(2027, 2, 28), forms=["AS"])
    (after,) = status.figures(version, scope, dt.date(2027, 3, 1), forms=["AS"])
    assert after.total == before.total - 1
    assert old not in rounds._unsigned_required(version)
    with time_machine.travel(dt.datetime(2027, 3, 24, 9, 0, tzinfo=OSLO), tick=False):
        rounds.send_reminders()
    assert not ReminderLog.objects.filter(organisation=old, step__in=["7", "14", "30"]).exists()


def test_after_the_deadline_the_pages_say_it_passed(world: Any, terms: Any, login: Any) -> None:
    from django.urls import reverse

    TermsVersion.objects.filter(pk=terms.published.pk).update(
        sign_by=dt.date(2025, 3, 31), published_at=dt.datetime(2025, 1, 15, 10, 0, tzinfo=OSLO)
    )
    with time_machine.travel(dt.datetime(2025, 4, 2, 10, 0, tzinfo=OSLO), tick=False):
        client = login(world["membership_manager"])
        text = client.get(reverse("dashboards:status"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
        assert "fristen gikk ut 31. mars 2025" in text
        page = client.get(reverse("memberships:terms_detail", args=[terms.published.pk]), HTTP_ACCEPT_LANGUAGE="nb")
        assert "gikk ut 31. mars 2025" in page.content.decode()
    with time_machine.travel(dt.datetime(2025, 3, 31, 10, 0, tzinfo=OSLO), tick=False):
        text = client.get(reverse("dashboards:status"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
        assert "fristen gikk ut" not in text


def _forecast(version: TermsVersion, day: dt.date) -> tuple[status.Progress, str]:  # noqa: F811
    from dashboards.reports import forecast_text

    progress = status.progress(version, Organisation.objects.all(), day, forms=["KOMM"])
    return progress, forecast_text(progress)


def test_a_young_round_is_paced_over_the_days_it_has_run(
    version: TermsVersion,  # noqa: F811
    world: Any,
    english: Any,
) -> None:
    """Published 15 January; four days later two of three signed: at that pace it ends well before the
    deadline (over a 14-day window it would have looked like a miss)."""
    from organisations.tests.factories import MunicipalityFactory

    MunicipalityFactory()
    sign_at(version, world.org_a, oslo(2027, 1, 16))
    sign_at(version, world.org_b, oslo(2027, 1, 18))
    progress, text = _forecast(version, dt.date(2027, 1, 19))
    assert progress.pace_days == 4 and progress.pace_per_day == 0.5
    assert progress.forecast == dt.date(2027, 1, 21) and progress.on_time and not progress.warn
    assert "since publication (4 days)" in text


def test_on_publication_day_there_is_no_pace_yet(
    version: TermsVersion,  # noqa: F811
    world: Any,
    english: Any,
) -> None:
    progress, text = _forecast(version, dt.date(2027, 1, 15))
    assert progress.no_pace_yet and not progress.warn
    assert text == "Published today: there is no pace to measure yet."
    assert "two weeks" not in text


def test_after_the_deadline_the_forecast_says_it_passed_and_how_many_are_missing(
    version: TermsVersion,  # noqa: F811
    world: Any,
    english: Any,
) -> None:
    sign_at(version, world.org_a, oslo(2027, 3, 30))
    progress, text = _forecast(version, dt.date(2027, 4, 3))
    assert progress.deadline_passed and progress.forecast is None and progress.warn
    assert text == "The deadline passed on 31 March 2027: 1 has still not signed."

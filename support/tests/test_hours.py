"""Is the customer centre open? Weekdays 08:00–20:00 Norwegian time, closed on public holidays."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from support.hours import current_hours, describe_days, open_state

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 25, 7, 59), False),  # a Wednesday, a minute before opening
        (at(2026, 11, 25, 8, 0), True),
        (at(2026, 11, 25, 19, 59), True),
        (at(2026, 11, 25, 20, 0), False),  # closes at 20:00 sharp
        (at(2026, 11, 28, 12, 0), False),  # Saturday
        (at(2026, 11, 29, 12, 0), False),  # Sunday
        (at(2026, 4, 2, 12, 0), False),  # Maundy Thursday
        (at(2026, 4, 3, 12, 0), False),  # Good Friday
        (at(2026, 4, 6, 12, 0), False),  # Easter Monday
        (at(2026, 4, 7, 12, 0), True),  # the Tuesday after Easter
        (at(2027, 5, 17, 12, 0), False),  # Constitution Day on a Monday
        (at(2027, 5, 18, 12, 0), True),
    ],
)
def test_it_is_open_weekdays_eight_to_twenty_except_holidays(moment: dt.datetime, expected: bool) -> None:
    assert open_state(current_hours(), moment).is_open is expected


def test_it_reads_utc_as_norwegian_time() -> None:
    # 07:00 UTC is 08:00 in Oslo in winter: open; 18:30 UTC in summer is 20:30 in Oslo: closed.
    hours = current_hours()
    assert open_state(hours, dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)).is_open
    assert not open_state(hours, dt.datetime(2026, 6, 10, 18, 30, tzinfo=dt.UTC)).is_open


@pytest.mark.parametrize(("language", "name"), [("nb", "Langfredag"), ("en", "Good Friday")])
def test_it_names_the_holiday_in_the_users_language(language: str, name: str) -> None:
    with translation.override(language):
        state = open_state(current_hours(), at(2026, 4, 3, 12, 0))
    assert state.holiday and name in state.holiday


def test_configured_hours_and_days_apply() -> None:
    hours = current_hours()
    hours.opens, hours.closes, hours.weekdays = dt.time(9, 0), dt.time(15, 0), [0, 1, 2, 3, 4, 5]
    hours.save()
    assert not open_state(hours, at(2026, 11, 25, 8, 30)).is_open
    assert open_state(hours, at(2026, 11, 28, 10, 0)).is_open  # Saturday now open
    assert describe_days(hours) in {"Mandag–lørdag", "Monday–Saturday"}


def test_holidays_can_be_kept_open() -> None:
    hours = current_hours()
    hours.closed_on_public_holidays = False
    hours.save()
    assert open_state(hours, at(2026, 4, 3, 12, 0)).is_open


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (at(2026, 11, 25, 10, 0), "Åpent nå"),
        (at(2026, 5, 17, 10, 0), "Stengt nå"),
        (at(2026, 11, 25, 20, 0), "Stengt nå"),
    ],
)
def test_contact_page_says_whether_open_now(client: Any, moment: dt.datetime, text: str) -> None:
    with time_machine.travel(moment, tick=False):
        response = client.get(reverse("support:contact"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    # The Norwegian page (locale/nb): "Åpent nå" / "Stengt nå", and not the other one.
    content = response.content.decode()
    assert text in content
    assert {"Åpent nå": "Stengt nå", "Stengt nå": "Åpent nå"}[text] not in content
    assert "24 20 00 00" in content


def test_customer_centre_edits_the_hours(world: Any, login: Any) -> None:
    client = login(world["customer_centre"])
    data = {
        "phone": "24 20 00 00",
        "email": "kundesenter@nhn.no",
        "opens": "07:30",
        "closes": "16:00",
        "weekdays": ["0", "1", "2", "3", "4"],
        "closed_on_public_holidays": "on",
        "note": "",
    }
    assert client.post(reverse("support:hours_edit"), data).status_code == 302
    assert current_hours().opens == dt.time(7, 30)
    bad = client.post(reverse("support:hours_edit"), {**data, "opens": "18:00", "closes": "09:00"})
    assert bad.status_code == 400
    assert current_hours().opens == dt.time(7, 30)


def test_a_member_cannot_edit_the_hours(world: Any, login: Any) -> None:
    assert login(world["admin_a"]).get(reverse("support:hours_edit")).status_code == 403


# --- special days (issue 20) ------------------------------------------------------------------------------------


def test_a_special_day_decides_its_day(world: Any) -> None:
    from support.models import SpecialDay

    hours = current_hours()
    SpecialDay.objects.create(date=dt.date(2026, 12, 23), closed=False, opens=dt.time(9), closes=dt.time(13))
    SpecialDay.objects.create(date=dt.date(2026, 12, 22), closed=True, note="Julebord")
    SpecialDay.objects.create(date=dt.date(2026, 12, 26), closed=False, opens=dt.time(10), closes=dt.time(12))
    assert open_state(hours, at(2026, 12, 23, 10, 0)).is_open  # reduced hours, inside them
    assert not open_state(hours, at(2026, 12, 23, 14, 0)).is_open  # reduced hours, after them
    closed = open_state(hours, at(2026, 12, 22, 12, 0))
    assert not closed.is_open and closed.holiday == "Julebord"
    # A special day wins over the public holiday (Boxing Day) and opens it.
    assert open_state(hours, at(2026, 12, 26, 11, 0)).is_open
    assert not open_state(hours, at(2026, 12, 25, 11, 0)).is_open  # Christmas Day, no special day


@time_machine.travel("2026-12-14 10:00 +0100", tick=False)
def test_staff_add_and_remove_special_days_and_the_contact_page_follows(world: Any, login: Any) -> None:
    from core.models import AuditEvent
    from support.models import SpecialDay

    agent = login(world["customer_centre"])
    url = reverse("support:special_days")
    bad = agent.post(url, {"date": "2026-12-24", "opens": "", "closes": "", "note": "Julaften"})  # not closed, no hours
    assert bad.status_code == 400 and not SpecialDay.objects.exists()
    assert (
        agent.post(url, {"date": "2026-12-24", "opens": "09:00", "closes": "12:00", "note": "Julaften"}).status_code
        == 302
    )
    assert agent.post(url, {"date": "2026-12-31", "closed": "on", "note": "Nyttårsaften"}).status_code == 302
    assert AuditEvent.objects.filter(action="support.special_day_saved").count() == 2

    page = agent.get(reverse("support:contact")).content.decode()
    assert "Julaften" in page and "09:00–12:00" in page and "Nyttårsaften" in page
    assert "1. juledag" in page or "Christmas Day" in page  # the public holidays of the coming weeks too

    with time_machine.travel("2026-12-24 11:00 +0100", tick=False):
        page = agent.get(reverse("support:contact")).content.decode()
        assert "Open now" in page and "Reduced hours today: 09:00–12:00." in page
    with time_machine.travel("2026-12-24 13:00 +0100", tick=False):
        assert "Closed now" in agent.get(reverse("support:contact")).content.decode()

    day = SpecialDay.objects.get(date=dt.date(2026, 12, 31))
    assert login(world["member_a"]).post(reverse("support:special_day_delete", args=[day.pk])).status_code == 403
    agent = login(world["customer_centre"])
    assert agent.post(reverse("support:special_day_delete", args=[day.pk])).status_code == 302
    assert not SpecialDay.objects.filter(pk=day.pk).exists()


def test_the_footer_and_help_page_follow_the_hours_staff_save(world: Any, login: Any) -> None:
    from support import services

    hours = current_hours()
    hours.opens, hours.closes, hours.weekdays = dt.time(9, 0), dt.time(15, 0), [0, 1, 2, 3]
    services.opening_hours_save(actor=world["customer_centre"], hours=hours)
    page = login(world["member_a"]).get(reverse("core:help")).content.decode()
    assert "09:00–15:00" in page and "08:00–20:00" not in page
    assert "Monday–Thursday" in page


def test_every_pages_footer_shows_the_saved_hours_without_a_query_once_warm(world: Any, login: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from support import services

    client = login(world["member_a"])
    cold = client.get(reverse("dashboards:home")).content.decode()
    assert "Open: Monday–Friday 08:00–20:00." in cold
    with CaptureQueriesContext(connection) as warm:
        client.get(reverse("dashboards:home"))
    assert not [q for q in warm.captured_queries if "support_openinghours" in q["sql"]]
    hours = current_hours()
    hours.opens, hours.closes, hours.weekdays = dt.time(9, 0), dt.time(15, 0), [0, 1, 2, 3]
    services.opening_hours_save(actor=world["customer_centre"], hours=hours)
    page = client.get(reverse("dashboards:home")).content.decode()
    assert "Open: Monday–Thursday 09:00–15:00." in page and "08:00–20:00" not in page

"""Registration: a cap, a waiting list in order, promotion when someone cancels; reminders; iCalendar."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from icalendar import Calendar

from core.models import OutboundEmail
from events.choices import RegistrationStatus
from events.models import Event, Registration
from events.services import event_cancel_registration, event_register, event_send_reminders
from organisations.tests.factories import UserFactory

OSLO = ZoneInfo("Europe/Oslo")
START = dt.datetime(2026, 3, 10, 13, 0, tzinfo=OSLO)


@pytest.fixture
def webinar(db: Any) -> Event:
    return Event.objects.create(
        title="Medlemskap i Helsenettet – hva betyr det for kommunen?",
        kind="webinar",
        description="Nye medlemsvilkår, tilknytning og sikkerhet.",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=1),
        online_url="https://teams.example.no/webinar",
        audience="Kommuner",
        capacity=2,
    )


@time_machine.travel("2026-03-01 10:00 +0100", tick=False)
def test_the_cap_holds_and_the_waiting_list_keeps_its_order(webinar: Event) -> None:
    users = [UserFactory() for _ in range(4)]
    statuses = [event_register(actor=u, event=webinar).status for u in users]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    promoted = event_cancel_registration(actor=users[0], event=webinar)
    assert [r.user for r in promoted] == [users[2]]  # first in line
    assert Registration.objects.filter(event=webinar, status="confirmed").count() == 2
    assert (
        OutboundEmail.objects.filter(to=users[2].email, subject__contains="freed").exists()
        or OutboundEmail.objects.filter(to=users[2].email).count() == 2
    )

    # Cancelling from the waiting list frees no place: nobody is promoted.
    assert event_cancel_registration(actor=users[3], event=webinar) == []
    # Registering again after cancelling queues at the back (here: a free place? no, full).
    again = event_register(actor=users[0], event=webinar)
    assert again.status == RegistrationStatus.WAITLISTED


@time_machine.travel("2026-03-01 10:00 +0100", tick=False)
def test_registering_twice_keeps_one_row(webinar: Event) -> None:
    user = UserFactory()
    first, second = event_register(actor=user, event=webinar), event_register(actor=user, event=webinar)
    assert first.pk == second.pk and Registration.objects.count() == 1


@time_machine.travel("2026-03-01 10:00 +0100", tick=False)
def test_a_larger_cap_promotes_from_the_waiting_list(webinar: Event, world: Any) -> None:
    from events.services import event_save

    users = [UserFactory() for _ in range(3)]
    for user in users:
        event_register(actor=user, event=webinar)
    webinar.capacity = 3
    event_save(actor=world["membership_manager"], event=webinar)
    assert Registration.objects.filter(status="confirmed").count() == 3


def test_a_past_or_closed_event_takes_no_registrations(webinar: Event) -> None:
    with time_machine.travel("2026-03-11 10:00 +0100", tick=False), pytest.raises(ValidationError):
        event_register(actor=UserFactory(), event=webinar)
    Event.objects.filter(pk=webinar.pk).update(registration_open=False)
    with time_machine.travel("2026-03-01 10:00 +0100", tick=False), pytest.raises(ValidationError):
        event_register(actor=UserFactory(), event=webinar)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_cap() -> None:
    """Threads register at once for the last places: the event's row lock lets exactly ``capacity`` in.
    (On SQLite the single writer serialises them; on PostgreSQL select_for_update does.)"""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer; the row lock matters on PostgreSQL")
    event = Event.objects.create(
        title="Fagdag",
        kind="professional_day",
        description="-",
        starts_at=START + dt.timedelta(days=3650),
        ends_at=START + dt.timedelta(days=3650, hours=6),
        place="Hamar",
        audience="Alle",
        capacity=3,
    )
    users = [UserFactory() for _ in range(8)]
    errors: list[BaseException] = []

    def go(user: Any) -> None:
        try:
            event_register(actor=user, event=event)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=[u]) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Registration.objects.filter(event=event, status="confirmed").count() == 3
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 5


def test_reminders_go_once_to_those_registered(webinar: Event, run_worker: Any) -> None:
    users = [UserFactory() for _ in range(3)]
    with time_machine.travel("2026-03-01 10:00 +0100", tick=False):
        for user in users:
            event_register(actor=user, event=webinar)
        event_cancel_registration(actor=users[1], event=webinar)  # users[2] moves up
    with time_machine.travel("2026-03-08 13:00 +0100", tick=False):
        assert event_send_reminders() == 0  # two days ahead: too early
    with time_machine.travel("2026-03-09 14:00 +0100", tick=False):
        assert event_send_reminders() == 2
        assert event_send_reminders() == 0  # idempotent
    reminded = set(OutboundEmail.objects.filter(subject__contains="Reminder").values_list("to", flat=True)) | set(
        OutboundEmail.objects.filter(subject__contains="Påminnelse").values_list("to", flat=True)
    )
    assert reminded == {users[0].email, users[2].email}


def test_the_reminder_command_queues_a_job_that_sends(webinar: Event, manage: Any, run_worker: Any) -> None:
    with time_machine.travel("2026-03-01 10:00 +0100", tick=False):
        event_register(actor=UserFactory(email="deltaker@example.no"), event=webinar)
    with time_machine.travel("2026-03-09 20:00 +0100", tick=False):
        code, _out, _err = manage("events_send_reminders")
        assert code == 0
        run_worker()
    assert OutboundEmail.objects.filter(to="deltaker@example.no").count() == 2  # confirmation + reminder


def test_the_event_calendar_file_and_feed(webinar: Event, world: Any, login: Any, client: Any) -> None:
    feed = client.get(reverse("events:event_feed"))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == webinar.title
    assert vevent.decoded("dtstart") == START
    assert b"teams.example.no" not in feed.content  # the join link is for those signed in

    one = login(world["member_a"]).get(reverse("events:event_ics", args=[webinar.pk]))
    assert one.status_code == 200 and b"teams.example.no" in one.content.replace(b"\r\n ", b"")


@time_machine.travel("2026-03-01 10:00 +0100", tick=False)
def test_members_register_and_cancel_through_the_pages(webinar: Event, world: Any, login: Any) -> None:
    client = login(world["member_a"])
    response = client.post(reverse("events:event_register", args=[webinar.pk]), {"organisation": world.org_a.pk})
    assert response.status_code == 302
    registration = Registration.objects.get(user=world["member_a"])
    assert registration.organisation == world.org_a and registration.status == "confirmed"
    page = client.get(webinar.get_absolute_url()).content.decode()
    assert "https://teams.example.no/webinar" in page
    assert "You are registered" in client.get(reverse("events:event_list")).content.decode()
    # Another organisation than one's own is refused, and nothing changes.
    other = login(world["admin_a"]).post(
        reverse("events:event_register", args=[webinar.pk]), {"organisation": world.org_b.pk}
    )
    assert other.status_code == 302 and not Registration.objects.filter(user=world["admin_a"]).exists()
    client = login(world["member_a"])
    client.post(reverse("events:event_cancel", args=[webinar.pk]))
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_only_staff_create_events(world: Any, login: Any) -> None:
    data = {
        "title": "Webinar om prismodell",
        "kind": "webinar",
        "description": "Prismodell og forvaltning.",
        "starts_at": "2026-05-05T13:00",
        "ends_at": "2026-05-05T14:00",
        "place": "",
        "online_url": "https://teams.example.no/x",
        "audience": "Kommuner",
        "capacity": "",
        "registration_open": "on",
        "materials": "",
        "recording_url": "",
        "is_published": "on",
    }
    assert login(world["admin_a"]).post(reverse("events:event_create"), data).status_code == 403
    response = login(world["membership_manager"]).post(reverse("events:event_create"), data)
    event = Event.objects.get()
    assert response.status_code == 302 and event.starts_at == dt.datetime(2026, 5, 5, 13, 0, tzinfo=OSLO)
    bad = login(world["membership_manager"]).post(
        reverse("events:event_create"), {**data, "ends_at": "2026-05-05T12:00", "online_url": ""}
    )
    assert bad.status_code == 400 and Event.objects.count() == 1


def test_the_list_runs_a_bounded_number_of_queries(world: Any, login: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(12):
        Event.objects.create(
            title=f"Webinar {i}",
            kind="webinar",
            description="-",
            starts_at=START + dt.timedelta(days=3650 + i),
            ends_at=START + dt.timedelta(days=3650 + i, hours=1),
            online_url="https://x.example.no",
            audience="Alle",
        )
    client = login(world["member_a"])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("events:event_list")).status_code == 200


@time_machine.travel("2026-03-01 10:00 +0100", tick=False)
def test_the_cap_cannot_drop_below_those_registered(webinar: Event, world: Any) -> None:
    from events.services import event_save

    for _ in range(2):
        event_register(actor=UserFactory(), event=webinar)
    webinar.capacity = 1
    with pytest.raises(ValidationError):
        event_save(actor=world["membership_manager"], event=webinar)
    webinar.refresh_from_db()
    assert webinar.capacity == 2


@time_machine.travel("2026-03-01 10:00 +0100", tick=False)
def test_the_event_page_runs_a_bounded_number_of_queries(
    webinar: Event, world: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(10):
        event_register(actor=UserFactory(), event=webinar)
    client = login(world["membership_manager"])
    with django_assert_max_num_queries(10):
        page = client.get(webinar.get_absolute_url())
    assert page.status_code == 200 and page.content.decode().count("badge--amber") == 8

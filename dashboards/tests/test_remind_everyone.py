"""Issue 19: a membership manager reminds everyone who has not signed in one action: a preview (how many,
which, who has nobody to notify, a sample of the message), an explicit confirmation, at most once a day
(a second attempt the same day is refused, saying when and by whom), sent through the job queue."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent, OutboundEmail
from memberships import rounds
from memberships.models import BulkReminder, ReminderLog
from organisations.tests.factories import MunicipalityFactory

OSLO = ZoneInfo("Europe/Oslo")
NOW = dt.datetime(2030, 3, 3, 10, 15, tzinfo=OSLO)  # four weeks before T1's deadline (31 March 2030)
URL = reverse("dashboards:remind_everyone")


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english(english: Any) -> None:
    """Assertions read the English texts."""


@pytest.fixture
def silent(world: Any) -> Any:
    return MunicipalityFactory(name="Stillevik").organisation  # nobody to notify there


def words(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_the_preview_says_how_many_which_who_cannot_be_reached_and_shows_the_message(
    world: Any, terms: Any, silent: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(world["membership_manager"])
    missing = client.get(reverse("dashboards:missing"), {"version": terms.published.pk})
    assert f'href="{URL}?version={terms.published.pk}"' in missing.content.decode()

    with django_assert_max_num_queries(20):
        response = client.get(URL, {"version": terms.published.pk})
    text = words(response)
    assert response.status_code == 200
    assert (
        "A reminder to sign by 31 March 2030 goes by e-mail to the administrators and signatories of 2 organisations"
        in text
    )
    assert "<li>Ringsaker</li>" in text and "<li>Bergen</li>" in text
    # Stillevik and the world's health enterprise (Bergen Legesenter AS) have nobody to notify.
    assert "2 organisations have no administrator, signatory or e-mail address and get no reminder" in text
    assert f'<a href="{silent.get_absolute_url()}">Stillevik</a>' in text
    sample = rounds.remind_everyone_preview(terms.published)
    assert sample.sample_subject == "Reminder: 28 days left to sign the membership terms for Ringsaker"
    assert f"Subject:</strong> {sample.sample_subject}" in text  # the sample, as the first organisation gets it
    assert 'name="confirm"' in text and 'name="expected" value="2"' in text
    assert "Remind 2 organisations" in text
    # Looking sends nothing.
    assert not OutboundEmail.objects.exists() and not BulkReminder.objects.exists()


def test_without_the_tick_nothing_is_sent(
    world: Any, terms: Any, login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = login(world["membership_manager"]).post(URL, {"version": terms.published.pk, "expected": 2})
    assert response.status_code == 400
    assert "Tick the box to confirm that the reminders are to go out now." in words(response)
    assert callbacks == [] and not BulkReminder.objects.exists() and not DBTaskResult.objects.exists()


def test_a_changed_number_is_shown_before_anything_is_sent(world: Any, terms: Any, login: Any) -> None:
    response = login(world["membership_manager"]).post(
        URL, {"version": terms.published.pk, "expected": 7, "confirm": "on"}
    )
    assert response.status_code == 409
    assert "has changed from 7 to 2" in words(response)
    assert not BulkReminder.objects.exists()


def test_confirmed_it_goes_through_the_job_queue_once_a_day(
    world: Any,
    terms: Any,
    silent: Any,
    login: Any,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
    frozen_clock: Any,
) -> None:
    manager = world["membership_manager"]
    client = login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"version": terms.published.pk, "expected": 2, "confirm": "on"})
    assert response.status_code == 302
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == [
        "Reminders are on their way to 2 organisations."
    ]
    # Nothing in the request itself: a job does it.
    assert not OutboundEmail.objects.exists()
    assert DBTaskResult.objects.get().task_path == "memberships.tasks.send_bulk_reminder"
    event = AuditEvent.objects.get(action="membership.reminded_everyone")
    assert (event.actor, event.after) == (manager, {"terms_version": "T1", "organisations": 2})

    run_worker()
    step = "manual-2030-03-03"
    assert set(ReminderLog.objects.filter(step=step).values_list("organisation__name", flat=True)) == {
        "Ringsaker",
        "Bergen",
    }
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == ["admin.a@example.no", "admin.b@example.no"]
    reminder = BulkReminder.objects.get()
    assert (reminder.planned, reminder.reminded, reminder.nobody_to_notify) == (2, 2, 2)
    assert reminder.finished_at is not None

    # A second attempt the same day, even by someone else: refused, saying when and by whom.
    frozen_clock.shift(dt.timedelta(hours=3))
    other = login(world["system_admin"])
    page = words(other.get(URL, {"version": terms.published.pk}))
    assert f"was reminded today at 10:15 by {manager.get_full_name()}" in page and 'name="confirm"' not in page
    with pytest.raises(rounds.AlreadyRemindedToday) as refused:
        rounds.remind_everyone(actor=world["system_admin"], version=terms.published)
    assert refused.value.messages == [
        f"Everyone who has not signed was reminded today already, at 10:15 by {manager.get_full_name()}. "
        "A reminder to everyone can go at most once a day: try again tomorrow."
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again = other.post(URL, {"version": terms.published.pk, "expected": 2, "confirm": "on"})
    assert again.status_code == 302
    assert [str(m) for m in other.get(again["Location"]).context["messages"]] == refused.value.messages
    assert BulkReminder.objects.count() == 1 and OutboundEmail.objects.count() == 2

    # The next day it may go again.
    frozen_clock.shift(dt.timedelta(days=1))
    client = login(manager)  # a new session: the staff session of yesterday has expired
    with django_capture_on_commit_callbacks(execute=True):
        next_day = client.post(URL, {"version": terms.published.pk, "expected": 2, "confirm": "on"})
    assert next_day.status_code == 302
    assert [str(m) for m in client.get(next_day["Location"]).context["messages"]] == [
        "Reminders are on their way to 2 organisations."
    ]
    run_worker()
    assert BulkReminder.objects.count() == 2
    assert ReminderLog.objects.filter(step="manual-2030-03-04").count() == 2


def test_an_organisation_reminded_alone_today_is_not_reminded_again(
    world: Any, terms: Any, login: Any, run_worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(world["membership_manager"])
    assert rounds.remind_now(actor=world["membership_manager"], organisation=world.org_a, version=terms.published)
    preview = words(client.get(URL, {"version": terms.published.pk}))
    assert "1 organisation was reminded today already and is not reminded again." in preview
    assert 'name="expected" value="1"' in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"version": terms.published.pk, "expected": 1, "confirm": "on"})
    run_worker()
    assert ReminderLog.objects.filter(organisation=world.org_a, step="manual-2030-03-03").count() == 1
    assert OutboundEmail.objects.filter(to="admin.a@example.no").count() == 1
    assert OutboundEmail.objects.filter(to="admin.b@example.no").count() == 1


def test_a_signed_organisation_is_neither_listed_nor_reminded(
    world: Any, terms: Any, signatures: Any, login: Any
) -> None:
    preview = rounds.remind_everyone_preview(terms.published)
    assert preview.count == 0
    text = words(login(world["membership_manager"]).get(URL, {"version": terms.published.pk}))
    assert "There is nobody to remind now." in text


@pytest.mark.parametrize("persona", ["admin_a", "coordinator_a", "customer_centre"])
def test_only_membership_managers_may_remind_everyone(world: Any, terms: Any, login: Any, persona: str) -> None:
    client = login(world[persona])
    assert client.get(URL, {"version": terms.published.pk}).status_code == 403
    assert client.post(URL, {"version": terms.published.pk, "expected": 2, "confirm": "on"}).status_code == 403
    assert not BulkReminder.objects.exists()

"""Workers survive crashes (heartbeat, lease, reaper) and one scheduler acts (advisory lock, timetable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import workers
from core.mail import mail_queue
from core.management.commands import scheduler
from core.models import OutboundEmail, ScheduledRun
from core.schedule import TIMETABLE, Entry

pytestmark = pytest.mark.django_db


def _queue_one(world: Any, django_capture_on_commit_callbacks: Any, key: str) -> OutboundEmail:
    with django_capture_on_commit_callbacks(execute=True):
        (queued,) = mail_queue(
            template="advisories/email/contact_missing",
            recipients=["a@example.no"],
            context={"organisation": world.org_a, "url": "https://x"},
            key=key,
        )
    return queued


def _claim_as(worker_id: str, minutes_ago: int) -> DBTaskResult:
    task = DBTaskResult.objects.get(status="READY")
    assert task.queue_name == "email"
    task.claim(worker_id)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return task


def test_a_task_of_a_dead_worker_is_taken_again_and_delivered_once(
    world: Any, django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    queued = _queue_one(world, django_capture_on_commit_callbacks, "test:reaper")
    task = _claim_as("dead-worker", minutes_ago=5)  # claimed, then the worker was killed: no heartbeat
    assert workers.reap_orphaned_tasks() == {"requeued": 1, "failed": 0, "forgotten_workers": 0}
    task.refresh_from_db()
    assert task.status == "READY"
    mail.outbox.clear()
    run_worker()
    run_worker()
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.SENT


def test_a_live_workers_task_is_left_alone(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    _queue_one(world, django_capture_on_commit_callbacks, "test:alive")
    task = _claim_as("busy-worker", minutes_ago=5)
    workers.beat("busy-worker", "email")
    assert workers.reap_orphaned_tasks()["requeued"] == 0
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_task_that_keeps_killing_its_workers_fails_visibly(
    world: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.TASK_MAX_CLAIMS = 2
    _queue_one(world, django_capture_on_commit_callbacks, "test:poison")
    for attempt in range(2):
        _claim_as(f"dead-{attempt}", minutes_ago=5)
        workers.reap_orphaned_tasks()
    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED" and "died 2 times" in failed.traceback
    assert DBTaskResult.objects.failed().count() == 1


def test_the_timetable_holds_every_periodic_command() -> None:
    names = {entry.command for entry in TIMETABLE}
    assert {
        "membership_daily",
        "advisories_daily",
        "events_send_reminders",
        "sync_enhetsregisteret",
        "read_register_roles",
        "anchor_audit_chain",
        "retimestamp_agreements",
    } <= names


def test_daily_and_interval_entries_are_due_once() -> None:
    tz = timezone.get_current_timezone()
    daily = Entry("d", "check", at=dt.time(6, 0))
    at_five = dt.datetime(2026, 3, 2, 5, 0, tzinfo=tz)
    at_six = dt.datetime(2026, 3, 2, 6, 0, 30, tzinfo=tz)
    assert daily.due(None, at_five)
    assert not daily.due(at_five - dt.timedelta(hours=1), at_five)
    assert daily.due(at_five, at_six)
    assert not daily.due(at_six, at_six + dt.timedelta(hours=3))
    hourly = Entry("h", "check", every=dt.timedelta(hours=1))
    assert not hourly.due(at_five, at_five + dt.timedelta(minutes=59))
    assert hourly.due(at_five, at_five + dt.timedelta(hours=1))


def test_the_scheduler_runs_what_is_due_and_records_it(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(scheduler, "call_command", lambda name, *args: calls.append(name))
    monkeypatch.setattr(
        scheduler,
        "TIMETABLE",
        [
            Entry("hourly", "check", every=dt.timedelta(hours=1)),
            Entry("missing", "no_such_command_yet", every=dt.timedelta(days=1)),
        ],
    )
    now = timezone.now()
    assert scheduler.run_due(now) == ["hourly", "missing"]
    assert scheduler.run_due(now + dt.timedelta(minutes=10)) == []
    assert scheduler.run_due(now + dt.timedelta(hours=1, minutes=1)) == ["hourly"]
    assert calls == ["check", "check"]
    assert ScheduledRun.objects.get(name="missing").last_error == "not installed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks exist on PostgreSQL only")
def test_only_one_scheduler_leads(django_db_blocker: Any) -> None:
    import psycopg

    settings_dict = connection.settings_dict
    other = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [scheduler.LOCK_KEY]).fetchone()[0] is True
        assert scheduler.try_lead() is False
        other.execute("SELECT pg_advisory_unlock(%s)", [scheduler.LOCK_KEY])
        assert scheduler.try_lead() is True
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")

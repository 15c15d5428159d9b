"""``manage.py scheduler``: runs the periodic commands of core/schedule.py, safe on every node.

Each tick it takes a PostgreSQL session advisory lock without waiting; only the holder acts, and it keeps
the lock while it lives, so a second scheduler stays idle until the first one's connection ends (its
process died or stopped). On SQLite (one machine) it acts alone. When each command last ran is stored
(ScheduledRun), so a scheduler that takes over runs only what is due.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from core.models import ScheduledRun
from core.request_id import request_id_scope
from core.schedule import TIMETABLE, Entry

logger = logging.getLogger(__name__)
LOCK_KEY = 7_310_482_020  # next to the audit chain's advisory-lock key


def try_lead() -> bool:
    """Whether this process holds (or now takes) the scheduler's lock."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def run_due(now: Any = None) -> list[str]:
    """Run every entry that is due; return the names run."""
    now = timezone.localtime(now or timezone.now())
    available = get_commands()
    ran = []
    for entry in TIMETABLE:
        state, _created = ScheduledRun.objects.get_or_create(name=entry.name)
        last = timezone.localtime(state.last_started_at) if state.last_started_at else None
        if not entry.due(last, now):
            continue
        state.last_started_at = now
        state.save(update_fields=["last_started_at"])
        ran.append(entry.name)
        _run(entry, state, available)
    return ran


def _run(entry: Entry, state: ScheduledRun, available: dict[str, str]) -> None:
    if entry.command not in available:
        logger.info("Scheduled %s skipped: the command is not installed yet", entry.name)
        state.last_ok, state.last_error = True, "not installed"
    else:
        with request_id_scope(f"schedule-{entry.name}"[:64]):
            try:
                call_command(entry.command, *entry.args())
                state.last_ok, state.last_error = True, ""
            except Exception as exc:  # one failing command must not stop the others
                logger.exception("Scheduled %s failed", entry.name)
                state.last_ok, state.last_error = False, f"{type(exc).__name__}: {exc}"[:2000]
    state.last_finished_at = timezone.now()
    state.save(update_fields=["last_ok", "last_error", "last_finished_at"])


class Command(BaseCommand):
    help = "Run the periodic commands on time; safe to start on every node (one leader acts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between ticks (default 30).")
        parser.add_argument("--once", action="store_true", help="One tick, then exit (for cron or tests).")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            if try_lead():
                ran = run_due()
                if ran:
                    self.stdout.write(f"ran: {', '.join(ran)}")
            elif once:
                self.stdout.write("another scheduler holds the lock; nothing done")
            if once:
                return
            time.sleep(interval)

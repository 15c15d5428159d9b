"""The timetable of the periodic commands: the one place it is defined (docs/deployment.md repeats it).

``manage.py scheduler`` runs on every node; only the holder of a PostgreSQL advisory lock acts, so a
command runs once however many schedulers there are. Times are Europe/Oslo (TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Entry:
    name: str
    command: str
    every: dt.timedelta | None = None  # an interval …
    at: dt.time | None = None  # … or once a day at this local time
    args: Callable[[], list[str]] = field(default=lambda: [])

    def due(self, last_started: dt.datetime | None, now: dt.datetime) -> bool:
        """Due when never run, when the interval has passed, or when today's time has come since the last run."""
        if last_started is None:
            return True
        if self.every is not None:
            return now - last_started >= self.every
        assert self.at is not None
        today = now.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return now >= today > last_started


def _anchor_args() -> list[str]:
    return [str(settings.AUDIT_ANCHOR_FILE)]


TIMETABLE: list[Entry] = [
    Entry("membership_daily", "membership_daily", at=dt.time(6, 0)),
    Entry("advisories_daily", "advisories_daily", every=dt.timedelta(hours=1)),
    Entry("events_send_reminders", "events_send_reminders", every=dt.timedelta(hours=1)),
    Entry("sync_enhetsregisteret", "sync_enhetsregisteret", at=dt.time(5, 0)),
    # After the roles feed has marked what changed: the roles of those that must sign, for their login.
    Entry("read_register_roles", "read_register_roles", at=dt.time(5, 30)),
    Entry("anchor_audit_chain", "anchor_audit_chain", at=dt.time(0, 15), args=_anchor_args),
    # Re-timestamping sealed agreements before their timestamps' certificates expire (PAdES B-LTA);
    # skipped, with a log line, until the command exists.
    Entry("retimestamp_agreements", "retimestamp_agreements", at=dt.time(3, 0)),
]

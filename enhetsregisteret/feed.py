"""Applying the update feed /oppdateringer/enheter.

The feed carries no records: on Ny, Endring or Ukjent the unit is fetched again (/enheter/{orgnr});
on Sletting or Fjernet the unit the portal knows is marked. A page is fetched (and its units) before
anything is written; then the page's changes and the new cursor (the last oppdateringsid) are written
in one transaction. Events at or below the stored cursor are skipped, and a unit whose values are
stored already is not written, so applying the same page twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from enhetsregisteret.apply import Applier
from enhetsregisteret.client import Client, RegisterError, RemovedUnit
from enhetsregisteret.models import FeedCursor
from enhetsregisteret.records import Unit, deleted_unit, parse_unit, removed_unit, valid_org_number

FEED = "enheter"
REFETCH = {"Ny", "Endring", "Ukjent"}


@dataclass
class SyncReport:
    pages: int = 0
    events: int = 0
    applied: int = 0
    created: int = 0
    updated: int = 0
    follow_ups: int = 0
    skipped: int = 0
    last_update_id: int = 0
    warnings: list[str] = field(default_factory=list)


def _event_date(event: dict[str, Any]) -> dt.date:
    value = event.get("dato")
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    return dt.date.today()


def _units_for(events: list[dict[str, Any]], client: Client, applier: Applier, report: SyncReport) -> list[Unit]:
    units: list[Unit] = []
    fetched: dict[str, Unit | None] = {}
    for event in events:
        number = valid_org_number(event.get("organisasjonsnummer"))
        kind = event.get("endringstype")
        if number is None:
            report.skipped += 1
            continue
        unit: Unit | None = None
        if kind in REFETCH:
            if number not in fetched:
                try:
                    fetched[number] = parse_unit(client.unit(number))
                except RemovedUnit:
                    fetched[number] = removed_unit(number)
            unit = fetched[number]
        elif kind == "Sletting":
            unit = deleted_unit(number, _event_date(event))
        elif kind == "Fjernet":
            unit = removed_unit(number)
        if unit is None or not applier.relevant_unit(unit):
            report.skipped += 1
            continue
        units.append(unit)
    return units


def sync(client: Client | None = None, *, size: int = 100, max_pages: int | None = None) -> SyncReport:
    """Apply the feed from the stored cursor until it is empty (or ``max_pages`` pages)."""
    client = client or Client()
    report = SyncReport()
    cursor, _created = FeedCursor.objects.get_or_create(feed=FEED)
    report.last_update_id = cursor.last_update_id
    applier = Applier()
    while max_pages is None or report.pages < max_pages:
        after = FeedCursor.objects.get(pk=cursor.pk).last_update_id
        events = []
        for event in client.updates(after, size):
            update_id = event.get("oppdateringsid") if isinstance(event, dict) else None
            if isinstance(update_id, int) and update_id > after:
                events.append(event)
        if not events:
            break
        events.sort(key=lambda e: e["oppdateringsid"])
        last = events[-1]["oppdateringsid"]
        units = _units_for(events, client, applier, report)
        with transaction.atomic():
            locked = FeedCursor.objects.select_for_update().get(pk=cursor.pk)
            if locked.last_update_id >= last:
                continue  # another run applied this page meanwhile
            result = applier.apply(units)
            locked.last_update_id = last
            locked.save(update_fields=["last_update_id", "updated_at"])
        report.pages += 1
        report.events += len(events)
        report.applied += len(units)
        report.created += result.created
        report.updated += result.updated
        report.follow_ups += result.follow_ups
        report.last_update_id = last
    report.warnings = list(client.version_warnings)
    return report


ROLES_FEED = "roller"


def sync_roles(client: Client | None = None, *, size: int = 100, max_pages: int | None = None) -> int:
    """Apply the roles update feed (/oppdateringer/roller, CloudEvents) from its stored cursor: the stored
    roles of every organisation named are marked stale, so the next signing reads them again. The mark
    and the cursor are written in one transaction; applying a page twice changes nothing. Returns how
    many stored copies were marked."""
    from enhetsregisteret.authority import mark_changed

    client = client or Client()
    cursor, _created = FeedCursor.objects.get_or_create(feed=ROLES_FEED)
    marked = pages = 0
    while max_pages is None or pages < max_pages:
        after = FeedCursor.objects.get(pk=cursor.pk).last_update_id
        events = [e for e in client.role_updates(after, size) if isinstance(e.get("id"), int) and e["id"] > after]
        if not events:
            break
        last = max(e["id"] for e in events)
        numbers = [
            n
            for e in events
            if (
                n := valid_org_number(
                    (e.get("data") or {}).get("organisasjonsnummer") if isinstance(e.get("data"), dict) else None
                )
            )
        ]
        with transaction.atomic():
            locked = FeedCursor.objects.select_for_update().get(pk=cursor.pk)
            if locked.last_update_id >= last:
                continue
            marked += mark_changed(numbers)
            locked.last_update_id = last
            locked.save(update_fields=["last_update_id", "updated_at"])
        pages += 1
    return marked


__all__ = ["RegisterError", "SyncReport", "sync", "sync_roles"]

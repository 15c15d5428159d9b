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


__all__ = ["RegisterError", "SyncReport", "sync"]

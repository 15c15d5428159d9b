"""The tamper-evident audit trail: append events, verify the chain, anchor its head.

Each event's hash is SHA-256 over the canonical JSON of its content followed by the previous event's
hash: ``hash = H(canonical_json(event) || prev_hash)``. The first event follows ``GENESIS``.

Appending is serialised so that the chain never forks: on PostgreSQL by a transaction-level advisory
lock, on SQLite by its single writer. ``prev_hash`` is also unique, so a fork fails loudly.

Tail truncation (deleting the newest events) leaves a valid shorter chain; only a head recorded
outside the database (``anchor``) reveals it. ``verify_chain(anchor=…)`` checks one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from core.models import AuditEvent
from core.request_id import current_client_address, current_request_id

GENESIS = "0" * 64
# An arbitrary constant: the advisory-lock key that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_310_482_019


def canonical_json(value: Any) -> str:
    """Stable text for hashing: sorted keys, no spaces, UTF-8 kept, dates and decimals as ISO strings."""
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so the hashed content equals what the JSON column gives back.

    Floats are kept as their decimal text: PostgreSQL's jsonb rewrites some numbers (1e16, -0.0), which
    would change the content under its hash. Audit values are evidence, not arithmetic."""
    return None if value is None else json.loads(canonical_json(value), parse_float=str)


def event_content(event: AuditEvent) -> dict[str, Any]:
    content = {
        "id": event.pk,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organisation_id": event.organisation_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }
    if event.request_id:  # hashed when present; events from before request ids keep their content
        content["request_id"] = event.request_id
    if event.ip_address:  # likewise: events from before client addresses keep their content
        content["ip_address"] = event.ip_address
    return content


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256((canonical_json(event_content(event)) + event.prev_hash).encode()).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return f"{actor.get_full_name()} <{actor.email}>"


def _new_event(
    *,
    previous: tuple[int, str] | None,
    actor: Any,
    action: str,
    obj: Model | None,
    organisation_id: int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    at: datetime | None = None,
    object_type: str = "",
) -> AuditEvent:
    """The event that follows ``previous`` (its id and hash; None: the chain is empty), hashed."""
    event = AuditEvent(
        id=previous[0] + 1 if previous else 1,
        occurred_at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else "",
        organisation_id=organisation_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        request_id=current_request_id(),
        ip_address=current_client_address() or None,
        prev_hash=previous[1] if previous else GENESIS,
    )
    event.hash = event_hash(event)
    return event


def _chain_head() -> tuple[int, str] | None:
    last = AuditEvent.objects.order_by("-id").only("id", "hash").first()
    return (last.pk, last.hash) if last else None


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Model | None,
    organisation_id: int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    at: datetime | None = None,
    object_type: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the transaction that makes the change it records, so the
    change and its record are stored together or not at all.

    ``obj`` is None only for an event about something that does not exist (a failed login for an
    unknown e-mail address); ``object_type`` then names what it would have been."""
    _lock_chain()
    event = _new_event(
        previous=_chain_head(),
        actor=actor,
        action=action,
        obj=obj,
        organisation_id=organisation_id,
        before=before,
        after=after,
        reason=reason,
        at=at,
        object_type=object_type,
    )
    event.save(force_insert=True)
    return event


@transaction.atomic(savepoint=False)
def audit_records(entries: Iterable[dict[str, Any]]) -> list[AuditEvent]:
    """Append many events in order, each ``entries`` item being ``audit_record``'s keyword arguments: the
    same events and hashes as calling ``audit_record`` for each in turn, in three queries (the chain's lock,
    its head, one insert) instead of three each. For a job that changes many things at once (a signing
    round's invitations, memberships.rounds); call it inside the transaction that makes the changes."""
    entries = list(entries)
    if not entries:
        return []
    _lock_chain()
    previous = _chain_head()
    events = []
    for entry in entries:
        event = _new_event(previous=previous, **entry)
        events.append(event)
        previous = (event.pk, event.hash)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return events


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    head_id: int | None = None
    head_hash: str = ""


def verify_chain(events: Iterable[AuditEvent] | None = None, *, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the chain in id order; report the first event whose link or hash does not hold."""
    if events is None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    previous_hash, previous_id, checked, anchor_seen = GENESIS, 0, 0, anchor is None
    for event in events:
        checked += 1
        if event.pk != previous_id + 1:
            return ChainReport(False, checked, event.pk, f"ids jump from {previous_id} to {event.pk}")
        if event.prev_hash != previous_hash:
            return ChainReport(False, checked, event.pk, "does not follow the previous event's hash")
        if event_hash(event) != event.hash:
            return ChainReport(False, checked, event.pk, "content does not match its hash")
        if anchor is not None and event.pk == anchor[0]:
            if event.hash != anchor[1]:
                return ChainReport(False, checked, event.pk, "differs from the anchored head")
            anchor_seen = True
        previous_hash, previous_id = event.hash, event.pk
    if not anchor_seen:
        return ChainReport(
            False, checked, anchor[0] if anchor else None, "the anchored head is missing: events were removed"
        )
    return ChainReport(True, checked, head_id=previous_id or None, head_hash=previous_hash if previous_id else "")

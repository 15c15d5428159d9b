"""Domain events for the outside world: the domain services announce, subscribers listen.

The domain apps must not import the apps above them (``integrations`` sends webhooks), so a service calls
``emit(event_type, organisation_id=…, data=…)`` here, in its own transaction, and ``integrations``
subscribes in its ``AppConfig.ready()``. A subscriber runs inside the caller's transaction, so what it
stores (a delivery to send) is stored with the change or not at all; it must not do slow work (it queues).

``data`` holds identifiers only (organisation number, ids, states), never content that some receivers
may not see: the subscriber decides who hears of an event, and receivers read the details through the API,
which applies the same visibility as the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone


class EventType:
    MEMBERSHIP_SIGNED = "membership.signed"
    MEMBERSHIP_ENDED = "membership.ended"
    MEMBER_CHANGED = "member.changed"
    AGREEMENT_CHANGED = "agreement.changed"
    ORDER_CHANGED = "order.changed"
    ADVISORY_PUBLISHED = "advisory.published"

    ALL = (MEMBERSHIP_SIGNED, MEMBERSHIP_ENDED, MEMBER_CHANGED, AGREEMENT_CHANGED, ORDER_CHANGED, ADVISORY_PUBLISHED)


@dataclass(frozen=True)
class Event:
    type: str
    organisation_id: int | None
    data: dict[str, Any]
    subject_id: int | None = None  # the advisory's id, for events whose audience is not one organisation
    key: str = ""  # the same key twice is one event (a job run again must not notify twice)
    at: Any = field(default_factory=timezone.now)


Subscriber = Callable[[Event], None]
ManySubscriber = Callable[[list[Event]], None]
_subscribers: list[Subscriber] = []
_many: dict[Subscriber, ManySubscriber] = {}


def subscribe(subscriber: Subscriber, *, many: ManySubscriber | None = None) -> None:
    """Register ``subscriber`` (idempotent: ``ready()`` may run more than once in tests). ``many``, if given,
    takes the events of one ``emit_many`` together, with the same effect as ``subscriber`` for each in turn
    (in fewer queries)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    if many is not None:
        _many[subscriber] = many


def emit(
    event_type: str,
    *,
    organisation_id: int | None,
    data: dict[str, Any],
    subject_id: int | None = None,
    key: str = "",
) -> None:
    """Announce an event to every subscriber, in the caller's transaction."""
    if event_type not in EventType.ALL:
        raise ValueError(f"unknown event type {event_type!r}")
    event = Event(type=event_type, organisation_id=organisation_id, data=data, subject_id=subject_id, key=key)
    for subscriber in list(_subscribers):
        subscriber(event)


def emit_many(events: list[Event]) -> None:
    """Announce many events at once (a signing round changes thousands of memberships), in the caller's
    transaction: the same as ``emit`` for each in order, but a subscriber registered with ``many`` gets
    them together."""
    for event in events:
        if event.type not in EventType.ALL:
            raise ValueError(f"unknown event type {event.type!r}")
    if not events:
        return
    for subscriber in list(_subscribers):
        many = _many.get(subscriber)
        if many is not None:
            many(events)
        else:
            for event in events:
                subscriber(event)

"""Webhooks (Standard Webhooks): who hears of an event, and delivering it with retries.

* ``on_event`` (subscribed to ``core.events`` in ``IntegrationsConfig.ready``) stores one delivery per
  endpoint that asked for the event *and may see its subject*, in the caller's transaction, and queues the
  sending on commit. An organisation hears of its own membership, agreements and orders; NHN's national
  endpoints of every organisation's membership and agreements (not orders); an advisory only where its TLP
  lets the endpoint's organisation see it, decided by ``Advisory.objects.visible_to`` as on the pages.
* ``deliver`` signs with the ``standardwebhooks`` library (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature: v1,<HMAC-SHA256 of id.timestamp.body>``), checks the URL again (SSRF), does not
  follow redirects, and retries on a schedule that spans more than a day. A 410 Gone, or a delivery that
  fails for good, switches the endpoint off.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from typing import Any

import requests
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from core.events import Event, EventType
from core.principals import TokenPrincipal
from integrations.choices import DeliveryState
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.urlcheck import UnsafeURL, check_url

logger = logging.getLogger(__name__)

# Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — 27 h 35 min in all.
RETRY_DELAYS = [
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT_SECONDS = 10
NATIONAL_EVENTS = frozenset(
    {EventType.MEMBERSHIP_SIGNED, EventType.MEMBERSHIP_ENDED, EventType.MEMBER_CHANGED, EventType.AGREEMENT_CHANGED}
)


def _may_see(endpoint: WebhookEndpoint, event: Event) -> bool:
    """Would the endpoint's organisation (None: national) see this event's subject through the API?"""
    if event.type == EventType.ADVISORY_PUBLISHED:
        from advisories.models import Advisory

        principal = TokenPrincipal(token_id=0, organisation_id=endpoint.organisation_id)
        if event.subject_id is None:
            return False
        return Advisory.objects.visible_to(principal).filter(pk=event.subject_id).exists()
    if endpoint.organisation_id is None:
        return event.type in NATIONAL_EVENTS
    return endpoint.organisation_id == event.organisation_id


def on_event(event: Event) -> None:
    """Store a delivery for every endpoint that asked for ``event`` and may see it; send on commit."""
    scope = Q(organisation__isnull=True)
    if event.organisation_id is not None and event.type != EventType.ADVISORY_PUBLISHED:
        scope |= Q(organisation_id=event.organisation_id)
    elif event.type == EventType.ADVISORY_PUBLISHED:
        scope = Q()
    payload = {"type": event.type, "timestamp": event.at.isoformat(), "data": event.data}
    for endpoint in WebhookEndpoint.objects.filter(scope, is_active=True):
        if not endpoint.wants(event.type) or not _may_see(endpoint, event):
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    message_id="msg_" + secrets.token_urlsafe(18),
                    event_type=event.type,
                    event_key=event.key,
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue  # this event (its key) was already delivered to this endpoint
        transaction.on_commit(lambda pk=delivery.pk: enqueue_delivery(pk))  # type: ignore[misc]  # the default binds this delivery


def on_events(events: list[Event]) -> None:
    """``on_event`` for each of ``events`` in turn, with the endpoints read once (``core.events.emit_many``:
    a signing round's membership changes). Events with a key, or advisories, go through ``on_event``."""
    if any(event.key or event.type == EventType.ADVISORY_PUBLISHED for event in events):
        for event in events:
            on_event(event)
        return
    organisations = {event.organisation_id for event in events if event.organisation_id is not None}
    endpoints = list(
        WebhookEndpoint.objects.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=organisations), is_active=True
        )
    )
    if not endpoints:
        return
    deliveries = []
    for event in events:
        payload = {"type": event.type, "timestamp": event.at.isoformat(), "data": event.data}
        for endpoint in endpoints:
            if endpoint.organisation_id is not None and endpoint.organisation_id != event.organisation_id:
                continue
            if not endpoint.wants(event.type) or not _may_see(endpoint, event):
                continue
            deliveries.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    message_id="msg_" + secrets.token_urlsafe(18),
                    event_type=event.type,
                    event_key="",  # no key: nothing to be unique with
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
            )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: enqueue_delivery(pk))  # type: ignore[misc]  # the default binds this delivery


def enqueue_delivery(pk: int, run_after: dt.datetime | None = None) -> None:
    from integrations.tasks import deliver_webhook

    task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    task.enqueue(pk)


def signed_headers(endpoint: WebhookEndpoint, message_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(message_id, at, body),
        "user-agent": "Medlemsportal-Webhooks/1",
    }


def _switch_off(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.is_active = False
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["is_active", "disabled_reason", "consecutive_failures"])
    logger.warning("Webhook endpoint %s switched off: %s", endpoint.pk, reason)


def _post(delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str]:
    """POST the signed payload once, redirects not followed: (HTTP status if any, error or "")."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    status: int | None = None
    try:
        check_url(endpoint.url)
        response = requests.post(
            endpoint.url,
            data=body.encode(),
            headers=signed_headers(endpoint, delivery.message_id, body, now),
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status = response.status_code
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except UnsafeURL as exc:
        error = str(exc)
    except requests.RequestException as exc:
        error = type(exc).__name__
    return status, error


def deliver(pk: int) -> str:
    """Send one delivery. Returns what happened: sent, skipped, retry, failed or gone."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").filter(pk=pk).first()
        if delivery is None or delivery.state != DeliveryState.PENDING:
            return "skipped"
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.state = DeliveryState.FAILED
            delivery.last_error = _("The endpoint is switched off.")
            delivery.save(update_fields=["state", "last_error"])
            return "skipped"
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        status, error = _post(delivery, now)
        delivery.last_status = status
        delivery.last_error = error[:300]
        fields = ["attempts", "last_attempt_at", "last_status", "last_error", "state", "next_attempt_at"]
        if not error:
            delivery.state = DeliveryState.SUCCEEDED
            delivery.next_attempt_at = None
            delivery.save(update_fields=fields)
            if endpoint.consecutive_failures:
                endpoint.consecutive_failures = 0
                endpoint.save(update_fields=["consecutive_failures"])
            return "sent"
        endpoint.consecutive_failures += 1
        if status == 410:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=fields)
            _switch_off(endpoint, _("The receiver answered 410 Gone."))
            return "gone"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=fields)
            _switch_off(endpoint, _("Deliveries failed for more than a day."))
            return "failed"
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        delivery.save(update_fields=fields)
        endpoint.save(update_fields=["consecutive_failures"])
        run_after = delivery.next_attempt_at
        transaction.on_commit(lambda: enqueue_delivery(pk, run_after))
        return "retry"


def deliveries_enqueue_stale(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Enqueue again pending deliveries whose job may be lost (the periodic command runs it)."""
    cutoff = timezone.now() - older_than
    count = 0
    for pk in WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        enqueue_delivery(pk)
        count += 1
    return count


def describe(delivery: WebhookDelivery) -> dict[str, Any]:
    return delivery.as_dict()

"""Every change to an order: submission, the moves of its state, assignment and comments.

A move that the state machine does not allow raises InvalidTransition and changes nothing. Each change
is an OrderEvent and an audit event in the same transaction; the member hears about every change of
state and every comment from NHN by e-mail, through the job queue.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.services import agreement_start
from connections import services as connection_services
from core.audit import audit_record
from core.events import EventType, emit
from core.mail import mail_queue
from core.permissions import Action, can
from memberships.services import recipients_for
from orders.choices import MEMBER_CANCELLABLE, TRANSITIONS, EventKind, OrderState, state_label
from orders.models import Order, OrderEvent

if TYPE_CHECKING:
    from accounts.models import User


class InvalidTransition(ValidationError):
    pass


def submit_order(
    *,
    organisation: Any,
    service: Any,
    terms_version: Any,
    signing: Any,
    actor: User,
    note: str = "",
    at: dt.datetime | None = None,
) -> Order:
    """Record an order whose terms were just signed. Called inside the signing's transaction."""
    at = at or timezone.now()
    order = Order.objects.create(
        organisation=organisation,
        service=service,
        terms_version=terms_version,
        signing=signing,
        submitted_by=actor,
        submitted_at=at,
        state_since=at,
        note=note,
    )
    event = OrderEvent.objects.create(
        order=order, kind=EventKind.SUBMITTED, to_state=OrderState.SUBMITTED, actor=actor, at=at
    )
    audit_record(
        actor=actor,
        action="order.submitted",
        obj=order,
        organisation_id=organisation.pk,
        after={"service": service.slug, "terms_version": terms_version.label, "signing": signing.pk},
        at=at,
    )
    if service.is_connection:
        connection_services.plan_connection_for_order(organisation=organisation, actor=actor, order=order)
    _notify_member(order, event)
    _order_changed(order)
    return order


def _order_changed(order: Order) -> None:
    emit(
        EventType.ORDER_CHANGED,
        organisation_id=order.organisation_id,
        data={"orgnr": order.organisation.org_number, "order": order.pk, "state": order.state},
    )


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("service", "organisation").get(pk=order.pk)


def order_transition(*, actor: User, order: Order, to_state: str, comment: str = "") -> Order:
    """Move an order on (the customer centre). Rejecting and cancelling need a reason; delivering starts
    the agreement."""
    if not can(actor, Action.ORDER_HANDLE):
        raise PermissionDenied
    return _transition(actor=actor, order=order, to_state=to_state, comment=comment)


def _transition(*, actor: User, order: Order, to_state: str, comment: str = "") -> Order:
    comment = comment.strip()
    with transaction.atomic():
        order = _locked(order)
        if to_state not in TRANSITIONS.get(order.state, ()):
            raise InvalidTransition(
                _("An order that is “%(from)s” cannot become “%(to)s”.")
                % {"from": state_label(order.state), "to": state_label(to_state) or to_state}
            )
        if to_state in (OrderState.REJECTED, OrderState.CANCELLED) and not comment:
            raise ValidationError({"comment": _("Give the reason, so the member knows why.")})
        now = timezone.now()
        before = order.state
        order.state = to_state
        order.state_since = now
        order.save(update_fields=["state", "state_since", "updated_at"])
        event = OrderEvent.objects.create(
            order=order,
            kind=EventKind.STATE,
            from_state=before,
            to_state=to_state,
            actor=actor,
            at=now,
            comment=comment,
        )
        audit_record(
            actor=actor,
            action="order.state",
            obj=order,
            organisation_id=order.organisation_id,
            before={"state": before},
            after={"state": to_state},
            reason=comment,
            at=now,
        )
        if to_state == OrderState.DELIVERED:
            agreement_start(
                actor=actor,
                organisation=order.organisation,
                service=order.service,
                terms_version=order.terms_version,
                signing=order.signing,
            )
        _notify_member(order, event)
        _order_changed(order)
    return order


def order_cancel_by_member(*, actor: User, order: Order, reason: str) -> Order:
    """A member withdraws its order; only before delivery has begun (checked on the locked row, so a move
    to delivery made meanwhile by the customer centre is not undone by a page loaded before it)."""
    if not can(actor, Action.ORDER_CANCEL, order):
        raise PermissionDenied
    with transaction.atomic():
        order = _locked(order)
        if order.state not in MEMBER_CANCELLABLE:
            raise InvalidTransition(_("Delivery has begun; contact the customer centre to stop it."))
        return _transition(actor=actor, order=order, to_state=OrderState.CANCELLED, comment=reason)


def order_assign(*, actor: User, order: Order, assignee: Any | None) -> Order:
    """Give the order to an agent (or to nobody). The assignee must be someone who handles orders."""
    if not can(actor, Action.ORDER_HANDLE):
        raise PermissionDenied
    if assignee is not None and not can(assignee, Action.ORDER_HANDLE):
        raise ValidationError({"assignee": _("%(name)s does not handle orders.") % {"name": assignee}})
    with transaction.atomic():
        order = _locked(order)
        if not order.is_open:
            raise InvalidTransition(_("A closed order is not assigned to anyone."))
        if order.assignee_id == (assignee.pk if assignee else None):
            return order
        order.assignee = assignee
        order.save(update_fields=["assignee", "updated_at"])
        OrderEvent.objects.create(order=order, kind=EventKind.ASSIGNED, actor=actor, assignee=assignee)
    return order


def order_comment(*, actor: User, order: Order, text: str) -> OrderEvent:
    """A message on the order, seen by the member and by NHN."""
    if not can(actor, Action.ORDER_COMMENT, order):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    with transaction.atomic():
        order = _locked(order)
        event = OrderEvent.objects.create(order=order, kind=EventKind.COMMENT, actor=actor, comment=text)
        if can(actor, Action.ORDER_HANDLE):
            _notify_member(order, event)
        else:
            _notify_handlers(order, event)
    return event


# --- reading -------------------------------------------------------------------------------------


def time_in_states(order: Order, events: list[OrderEvent], now: dt.datetime | None = None) -> list[tuple[str, Any]]:
    """How long the order spent in each state it has been in, in order, the current one until now."""
    now = now or timezone.now()
    moves = [(e.at, e.to_state) for e in events if e.kind in (EventKind.SUBMITTED, EventKind.STATE)]
    spans: list[tuple[str, Any]] = []
    for index, (start, state) in enumerate(moves):
        end = moves[index + 1][0] if index + 1 < len(moves) else (now if state in TRANSITIONS else start)
        spans.append((state, end - start))
    return spans


# --- notifications -------------------------------------------------------------------------------


def _notify_member(order: Order, event: OrderEvent) -> None:
    """Queued in the change's own transaction (the outbox): stored together, or not at all."""
    mail_queue(
        template="orders/email/update",
        recipients={order.submitted_by.email, *recipients_for(order.organisation)},
        context={"order": order, "event": event, "base_url": settings.PORTAL_BASE_URL},
        key=f"order:{order.pk}:event:{event.pk}",
    )


def _notify_handlers(order: Order, event: OrderEvent) -> None:
    """A member wrote: to the agent handling the order, or to the customer centre when nobody is."""
    recipient = order.assignee.email if order.assignee else settings.CUSTOMER_CENTRE_EMAIL
    mail_queue(
        template="orders/email/member_comment",
        recipients=[recipient],
        context={"order": order, "event": event, "base_url": settings.PORTAL_BASE_URL},
        key=f"order:{order.pk}:event:{event.pk}",
    )

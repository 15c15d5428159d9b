"""The order state machine: every legal move, every illegal one (which changes nothing), reasons, delivery,
assignment, comments, e-mail to the member, time in each state, and one open order per service."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements.choices import AgreementState
from agreements.models import ServiceAgreement
from agreements.tests.factories import current_version, make_agreement, make_order
from core.models import AuditEvent, OutboundEmail
from orders import services
from orders.choices import MEMBER_CANCELLABLE, TRANSITIONS, EventKind, OrderState
from orders.models import Order, OrderEvent
from orders.services import InvalidTransition

OSLO = ZoneInfo("Europe/Oslo")
T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=OSLO)

LEGAL = sorted((source, target) for source, targets in TRANSITIONS.items() for target in targets)
ILLEGAL = sorted(
    (source, target)
    for source in OrderState.values
    for target in [*OrderState.values, "no-such-state"]
    if target not in TRANSITIONS.get(source, ())
)


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def order(member_a: Any) -> Order:
    """Ringsaker's order of Kjernejournal, submitted by admin_a at T0."""
    return make_order(member_a.org_a, "kjernejournal", member_a["admin_a"])


def snapshot(order: Order) -> tuple[Any, ...]:
    order.refresh_from_db()
    return (
        order.state,
        order.state_since,
        order.assignee_id,
        OrderEvent.objects.filter(order=order).count(),
        AuditEvent.objects.count(),
        OutboundEmail.objects.count(),
        ServiceAgreement.objects.count(),
    )


def in_state(order: Order, state: str) -> Order:
    Order.objects.filter(pk=order.pk).update(state=state)
    order.refresh_from_db()
    return order


def test_the_state_machine_is_what_the_issue_says() -> None:
    assert (
        sorted(
            [
                ("in_delivery", "cancelled"),
                ("in_delivery", "delivered"),
                ("in_review", "cancelled"),
                ("in_review", "in_delivery"),
                ("in_review", "rejected"),
                ("submitted", "cancelled"),
                ("submitted", "in_review"),
                ("submitted", "rejected"),
            ]
        )
        == LEGAL
    )
    assert {"submitted", "in_review"} == MEMBER_CANCELLABLE


def test_submitting_records_an_event_an_audit_event_and_tells_the_member(member_a: Any, outbox: Any) -> None:
    order = outbox(lambda: make_order(member_a.org_a, "kjernejournal", member_a["admin_a"]))
    assert (order.state, order.submitted_at, order.state_since) == (OrderState.SUBMITTED, T0, T0)
    event = order.events.get()
    assert (event.kind, event.to_state, event.actor) == (EventKind.SUBMITTED, OrderState.SUBMITTED, member_a["admin_a"])
    assert AuditEvent.objects.filter(action="order.submitted", object_id=str(order.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [["admin.a@example.no"]]
    assert order.reference in mail.outbox[0].subject


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_every_legal_move(
    member_a: Any, order: Order, outbox: Any, frozen_clock: Any, source: str, target: str
) -> None:
    in_state(order, source)
    frozen_clock.shift(dt.timedelta(hours=5))
    agent = member_a["customer_centre"]
    events = order.events.count()

    moved = outbox(lambda: services.order_transition(actor=agent, order=order, to_state=target, comment="Begrunnelse"))

    order.refresh_from_db()
    assert moved.state == order.state == target
    assert order.state_since == T0 + dt.timedelta(hours=5)
    assert order.events.count() == events + 1
    event = order.events.last()
    assert (event.kind, event.from_state, event.to_state, event.actor, event.comment) == (
        EventKind.STATE,
        source,
        target,
        agent,
        "Begrunnelse",
    )
    audit = AuditEvent.objects.filter(action="order.state", object_id=str(order.pk)).get()
    assert (audit.before, audit.after, audit.reason) == ({"state": source}, {"state": target}, "Begrunnelse")
    assert audit.organisation_id == member_a.org_a.pk
    # the member hears about it
    updates = [m for m in mail.outbox if order.reference in m.subject]
    assert [m.to for m in updates] == [["admin.a@example.no"]]
    assert "Begrunnelse" in updates[0].body
    # delivery, and only delivery, authorises the member for the service
    agreement = ServiceAgreement.objects.filter(organisation=member_a.org_a, service=order.service).first()
    if target == OrderState.DELIVERED:
        assert agreement is not None
        assert (agreement.state, agreement.terms_version, agreement.signing) == (
            AgreementState.ACTIVE,
            order.terms_version,
            order.signing,
        )
        assert agreement.started_on == (T0 + dt.timedelta(hours=5)).date()
        assert AuditEvent.objects.filter(action="service_agreement.started").count() == 1
    else:
        assert agreement is None


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_move_raises_and_changes_nothing(
    member_a: Any, order: Order, frozen_clock: Any, source: str, target: str
) -> None:
    in_state(order, source)
    before = snapshot(order)
    frozen_clock.shift(dt.timedelta(hours=1))

    with pytest.raises(InvalidTransition):
        services.order_transition(actor=member_a["customer_centre"], order=order, to_state=target, comment="Forsøk")

    assert snapshot(order) == before


@pytest.mark.parametrize("target", [OrderState.REJECTED, OrderState.CANCELLED])
def test_rejecting_or_cancelling_needs_a_reason(member_a: Any, order: Order, target: str) -> None:
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        services.order_transition(actor=member_a["customer_centre"], order=order, to_state=target, comment="  ")
    assert not isinstance(exc.value, InvalidTransition)
    assert "comment" in exc.value.message_dict
    assert snapshot(order) == before


def test_delivering_renews_a_live_agreement_for_the_service(member_a: Any) -> None:
    """An agreement that must be re-signed becomes active under the order's terms (idempotent per service)."""
    existing = make_agreement(member_a.org_a, "domene", state=AgreementState.MUST_RESIGN)
    order = make_order(member_a.org_a, "domene", member_a["admin_a"], state=OrderState.IN_DELIVERY)
    services.order_transition(actor=member_a["customer_centre"], order=order, to_state=OrderState.DELIVERED)
    existing.refresh_from_db()
    assert ServiceAgreement.objects.filter(service__slug="domene").count() == 1
    assert existing.state == AgreementState.ACTIVE and existing.signing == order.signing


# --- the member withdraws ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(MEMBER_CANCELLABLE))
def test_the_member_may_withdraw_before_delivery_begins(member_a: Any, order: Order, state: str) -> None:
    in_state(order, state)
    services.order_cancel_by_member(actor=member_a["admin_a"], order=order, reason="Vi venter et år")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert order.events.last().comment == "Vi venter et år"


@pytest.mark.parametrize("state", sorted(set(OrderState.values) - MEMBER_CANCELLABLE))
def test_the_member_may_not_withdraw_once_delivery_began(member_a: Any, order: Order, state: str) -> None:
    in_state(order, state)
    before = snapshot(order)
    with pytest.raises(InvalidTransition):
        services.order_cancel_by_member(actor=member_a["admin_a"], order=order, reason="For sent")
    assert snapshot(order) == before


def test_withdrawing_reads_the_current_state_not_a_stale_copy(member_a: Any, order: Order) -> None:
    """The member's page showed "submitted"; the customer centre has since begun delivery."""
    stale = Order.objects.get(pk=order.pk)
    services.order_transition(actor=member_a["customer_centre"], order=order, to_state=OrderState.IN_REVIEW)
    services.order_transition(actor=member_a["customer_centre"], order=order, to_state=OrderState.IN_DELIVERY)
    before = snapshot(order)
    assert stale.state == OrderState.SUBMITTED
    with pytest.raises(InvalidTransition):
        services.order_cancel_by_member(actor=member_a["admin_a"], order=stale, reason="Vi angrer")
    assert snapshot(order) == before


def test_withdrawing_needs_a_reason(member_a: Any, order: Order) -> None:
    before = snapshot(order)
    with pytest.raises(ValidationError):
        services.order_cancel_by_member(actor=member_a["admin_a"], order=order, reason="")
    assert snapshot(order) == before


# --- assignment -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["customer_centre", "membership_manager", "system_admin"])
def test_an_order_is_assigned_to_someone_who_handles_orders(member_a: Any, order: Order, persona: str) -> None:
    services.order_assign(actor=member_a["customer_centre"], order=order, assignee=member_a[persona])
    order.refresh_from_db()
    assert order.assignee == member_a[persona]
    event = order.events.last()
    assert (event.kind, event.assignee) == (EventKind.ASSIGNED, member_a[persona])


@pytest.mark.parametrize("persona", ["admin_a", "member_a", "cert_analyst", "coordinator_a", "deactivated_a"])
def test_an_order_is_never_assigned_to_someone_who_does_not_handle_orders(
    member_a: Any, order: Order, persona: str
) -> None:
    before = snapshot(order)
    with pytest.raises(ValidationError) as exc:
        services.order_assign(actor=member_a["customer_centre"], order=order, assignee=member_a[persona])
    assert "assignee" in exc.value.message_dict
    assert snapshot(order) == before


def test_unassigning_and_assigning_the_same_again(member_a: Any, order: Order) -> None:
    agent = member_a["customer_centre"]
    services.order_assign(actor=agent, order=order, assignee=agent)
    events = order.events.count()
    services.order_assign(actor=agent, order=order, assignee=agent)  # no change, no event
    assert order.events.count() == events
    services.order_assign(actor=agent, order=order, assignee=None)
    order.refresh_from_db()
    assert order.assignee is None
    assert order.events.count() == events + 1


@pytest.mark.parametrize("state", [OrderState.DELIVERED, OrderState.REJECTED, OrderState.CANCELLED])
def test_a_closed_order_is_not_assigned(member_a: Any, order: Order, state: str) -> None:
    in_state(order, state)
    before = snapshot(order)
    with pytest.raises(InvalidTransition):
        services.order_assign(actor=member_a["customer_centre"], order=order, assignee=member_a["customer_centre"])
    assert snapshot(order) == before


# --- comments ---------------------------------------------------------------------------------------------------


def test_a_comment_from_nhn_is_sent_to_the_member(member_a: Any, order: Order, outbox: Any) -> None:
    mail.outbox.clear()
    outbox(lambda: services.order_comment(actor=member_a["customer_centre"], order=order, text="Trenger kontaktperson"))
    assert [m.to for m in mail.outbox] == [["admin.a@example.no"]]
    assert "Trenger kontaktperson" in mail.outbox[0].body
    event = order.events.last()
    assert (event.kind, event.comment, event.actor) == (
        EventKind.COMMENT,
        "Trenger kontaktperson",
        member_a["customer_centre"],
    )


def test_a_comment_from_the_member_is_sent_to_the_assignee(member_a: Any, order: Order, outbox: Any) -> None:
    services.order_assign(actor=member_a["customer_centre"], order=order, assignee=member_a["customer_centre"])
    mail.outbox.clear()
    outbox(lambda: services.order_comment(actor=member_a["admin_a"], order=order, text="Kontakt: Ola, 99 99 99 99"))
    assert [m.to for m in mail.outbox] == [["customer_centre@nhn.example.no"]]
    assert "Ola" in mail.outbox[0].body


def test_an_empty_comment_is_refused(member_a: Any, order: Order) -> None:
    before = snapshot(order)
    with pytest.raises(ValidationError):
        services.order_comment(actor=member_a["admin_a"], order=order, text="   ")
    assert snapshot(order) == before


# --- time in each state -----------------------------------------------------------------------------------------


def test_time_in_states_adds_up(member_a: Any, order: Order, frozen_clock: Any) -> None:
    agent = member_a["customer_centre"]
    frozen_clock.shift(dt.timedelta(hours=2))
    services.order_transition(actor=agent, order=order, to_state=OrderState.IN_REVIEW)
    frozen_clock.shift(dt.timedelta(days=1))
    services.order_transition(actor=agent, order=order, to_state=OrderState.IN_DELIVERY)
    services.order_comment(actor=agent, order=order, text="Underveis")  # not a move
    frozen_clock.shift(dt.timedelta(days=2, minutes=30))

    spans = services.time_in_states(order, list(order.events.all()))
    assert spans == [
        (OrderState.SUBMITTED, dt.timedelta(hours=2)),
        (OrderState.IN_REVIEW, dt.timedelta(days=1)),
        (OrderState.IN_DELIVERY, dt.timedelta(days=2, minutes=30)),
    ]

    services.order_transition(actor=agent, order=order, to_state=OrderState.DELIVERED)
    frozen_clock.shift(dt.timedelta(days=30))
    spans = services.time_in_states(order, list(order.events.all()))
    assert spans[-2] == (OrderState.IN_DELIVERY, dt.timedelta(days=2, minutes=30))
    assert spans[-1] == (OrderState.DELIVERED, dt.timedelta(0))  # a final state does not keep counting


# --- one open order per service ---------------------------------------------------------------------------------


def test_only_one_open_order_per_organisation_and_service(member_a: Any, order: Order) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            organisation=order.organisation,
            service=order.service,
            terms_version=order.terms_version,
            signing=order.signing,
            submitted_by=member_a["admin_a"],
        )
    # another organisation, or after the first is closed: allowed
    make_order(member_a.org_b, "kjernejournal", member_a["admin_a"])
    services.order_transition(
        actor=member_a["customer_centre"], order=order, to_state=OrderState.REJECTED, comment="Nei"
    )
    again = make_order(member_a.org_a, "kjernejournal", member_a["admin_a"])
    assert again.state == OrderState.SUBMITTED
    assert Order.objects.filter(organisation=member_a.org_a, service=order.service).count() == 2


# --- the connection ---------------------------------------------------------------------------------------------


def test_ordering_the_connection_calls_plan_connection_for_order(
    member_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "connections.services.plan_connection_for_order", lambda **kwargs: calls.append(kwargs), raising=False
    )
    order = make_order(member_a.org_a, "helsenettforbindelse", member_a["admin_a"])
    assert calls == [{"organisation": member_a.org_a, "actor": member_a["admin_a"], "order": order}]
    make_order(member_a.org_a, "helseid", member_a["admin_a"])
    assert len(calls) == 1


def test_ordering_the_connection_plans_one_in_the_registry(member_a: Any) -> None:
    from connections.models import Connection

    order = make_order(member_a.org_a, "helsenettforbindelse", member_a["admin_a"])
    connection = Connection.objects.get(source_reference=f"order:{order.pk}")
    assert connection.organisation == member_a.org_a
    assert current_version("helsenettforbindelse") == order.terms_version


def test_the_services_check_permission_again_and_change_nothing(member_a: Any, order: Order) -> None:
    """The views check first; the services check again, so no other caller can skip the policy."""
    from django.core.exceptions import PermissionDenied

    before = snapshot(order)
    with pytest.raises(PermissionDenied):
        services.order_transition(actor=member_a["admin_a"], order=order, to_state=OrderState.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        services.order_assign(actor=member_a["cert_analyst"], order=order, assignee=member_a["customer_centre"])
    with pytest.raises(PermissionDenied):
        services.order_cancel_by_member(actor=member_a["admin_b"], order=order, reason="Ikke vår")
    with pytest.raises(PermissionDenied):
        services.order_comment(actor=member_a["coordinator_a"], order=order, text="Hei")
    assert snapshot(order) == before

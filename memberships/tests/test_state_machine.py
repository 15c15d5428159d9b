"""The membership state machine: every move the rules allow, every move they refuse, and what each leaves behind.

not_member → invited → active → must_resign → active; suspended when a deadline passes unsigned; terminated with a
reason. Every change goes through services.membership_transition, which writes a history row and an audit event;
an illegal move raises a clear error and changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.audit import verify_chain
from core.models import AuditEvent
from memberships import services
from memberships.choices import MembershipState as S
from memberships.choices import TerminationReason
from memberships.models import Membership, MembershipTransition

STATES = list(S.values)
ALLOWED = sorted((a, b) for a, targets in services.TRANSITIONS.items() for b in targets)
ILLEGAL = sorted((a, b) for a in STATES for b in STATES if b not in services.TRANSITIONS[a])

# The machine as the issue describes it, written out once more so that a change to TRANSITIONS is deliberate.
EXPECTED_MACHINE = {
    "not_member": {"invited", "active"},
    "invited": {"active", "suspended", "terminated"},
    "active": {"must_resign", "suspended", "terminated"},
    "must_resign": {"active", "suspended", "terminated"},
    "suspended": {"active", "terminated"},
    "terminated": {"invited", "active"},
}


def membership_in(organisation: Any, state: str) -> Membership:
    """A membership put in ``state`` directly, as the starting point of one move."""
    return Membership.objects.create(
        organisation=organisation,
        state=state,
        termination_reason=TerminationReason.MERGER if state == S.TERMINATED else "",
    )


def stored_state(membership: Membership) -> tuple[Any, ...]:
    """Everything a transition could change: the row, its history and the audit trail."""
    row = Membership.objects.get(pk=membership.pk)
    return (
        row.state,
        row.signed_version_id,
        row.termination_reason,
        row.updated_at,
        MembershipTransition.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_transition_table_is_the_state_machine_of_the_issue() -> None:
    assert {state: set(targets) for state, targets in services.TRANSITIONS.items()} == EXPECTED_MACHINE
    assert set(services.TRANSITIONS) == set(STATES)
    assert len(ALLOWED) + len(ILLEGAL) == len(STATES) ** 2


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_an_allowed_transition_moves_the_state_and_writes_one_history_row_and_one_audit_event(
    world: Any, terms: Any, from_state: str, to_state: str
) -> None:
    membership = membership_in(world.org_a, from_state)
    actor = world["membership_manager"]
    extra = {"termination_reason": TerminationReason.OWN_NOTICE} if to_state == S.TERMINATED else {}
    events_before = AuditEvent.objects.count()

    returned = services.membership_transition(
        membership=membership,
        to_state=to_state,
        actor=actor,
        reason="Styrevedtak 12/2027",
        terms_version=terms.published,
        **extra,
    )

    stored = Membership.objects.get(pk=membership.pk)
    assert returned.state == stored.state == to_state
    assert stored.termination_reason == ("own_notice" if to_state == S.TERMINATED else "")
    if to_state == S.ACTIVE:
        assert stored.signed_version == terms.published
    step = MembershipTransition.objects.get(membership=membership)
    assert (step.from_state, step.to_state, step.actor, step.reason, step.terms_version) == (
        from_state,
        to_state,
        actor,
        "Styrevedtak 12/2027",
        terms.published,
    )
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action="membership.transition")
    assert event.object_type == "memberships.membership"
    assert event.object_id == str(membership.pk)
    assert event.organisation_id == world.org_a.pk
    assert event.actor == actor
    assert event.reason == "Styrevedtak 12/2027"
    assert event.before["state"] == from_state
    assert event.after["state"] == to_state
    assert event.after["termination_reason"] == stored.termination_reason
    assert verify_chain().ok


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_an_illegal_transition_raises_a_clear_error_and_changes_nothing(
    world: Any, terms: Any, from_state: str, to_state: str
) -> None:
    membership = membership_in(world.org_a, from_state)
    before = stored_state(membership)

    with pytest.raises(services.InvalidTransition) as raised:
        services.membership_transition(
            membership=membership,
            to_state=to_state,
            actor=world["membership_manager"],
            terms_version=terms.published,
            termination_reason=TerminationReason.MERGER,
        )

    assert raised.value.code == "invalid_transition"
    message = raised.value.messages[0]
    assert str(S(from_state).label) in message
    assert str(S(to_state).label) in message
    assert membership.state == from_state  # the object in hand is untouched too
    assert stored_state(membership) == before


@pytest.mark.parametrize("to_state", ["bogus", "", "ACTIVE"])
def test_a_transition_to_a_state_that_does_not_exist_is_refused_as_an_invalid_transition(
    world: Any, to_state: str
) -> None:
    membership = membership_in(world.org_a, S.INVITED)
    before = stored_state(membership)

    with pytest.raises(services.InvalidTransition):
        services.membership_transition(membership=membership, to_state=to_state)

    assert stored_state(membership) == before


@pytest.mark.parametrize(
    "from_state", sorted(a for a, targets in services.TRANSITIONS.items() if S.TERMINATED in targets)
)
def test_terminating_without_a_reason_is_refused_and_changes_nothing(world: Any, from_state: str) -> None:
    membership = membership_in(world.org_a, from_state)
    before = stored_state(membership)

    with pytest.raises(ValidationError) as raised:
        services.membership_transition(membership=membership, to_state=S.TERMINATED, actor=world["membership_manager"])

    assert not isinstance(raised.value, services.InvalidTransition)
    assert raised.value.messages == ["Du må oppgi årsaken til at medlemskapet avsluttes."]
    assert membership.state == from_state
    assert stored_state(membership) == before


def test_the_database_refuses_a_terminated_membership_without_a_reason(world: Any) -> None:
    membership = membership_in(world.org_a, S.ACTIVE)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(state=S.TERMINATED, termination_reason="")

    assert Membership.objects.get(pk=membership.pk).state == S.ACTIVE


def test_leaving_the_terminated_state_clears_the_termination_reason(world: Any) -> None:
    membership = membership_in(world.org_a, S.TERMINATED)

    services.membership_transition(membership=membership, to_state=S.INVITED)

    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.state, stored.termination_reason) == (S.INVITED, "")
    assert AuditEvent.objects.get().before == {"state": "terminated", "signed_version": None}


def test_a_whole_life_cycle_is_recorded_step_by_step_in_history_and_in_an_intact_audit_chain(
    world: Any, terms: Any
) -> None:
    membership = services.membership_for(world.org_b)
    assert membership.state == S.NOT_MEMBER
    path = [S.INVITED, S.ACTIVE, S.MUST_RESIGN, S.ACTIVE, S.SUSPENDED, S.ACTIVE, S.TERMINATED, S.INVITED]

    for to_state in path:
        services.membership_transition(
            membership=membership,
            to_state=to_state,
            terms_version=terms.published,
            termination_reason=TerminationReason.DELETED_FROM_REGISTER if to_state == S.TERMINATED else "",
        )

    steps = list(MembershipTransition.objects.filter(membership=membership).order_by("pk"))
    assert [(s.from_state, s.to_state) for s in steps] == list(zip([S.NOT_MEMBER, *path[:-1]], path, strict=True))
    events = list(AuditEvent.objects.filter(action="membership.transition").order_by("id"))
    assert [(e.before["state"], e.after["state"]) for e in events] == [(s.from_state, s.to_state) for s in steps]
    assert all(e.organisation_id == world.org_b.pk and e.actor is None and e.actor_label == "system" for e in events)
    assert Membership.objects.get(pk=membership.pk).state == S.INVITED
    report = verify_chain()
    assert report.ok and report.checked == len(path)


def test_signing_moves_the_membership_through_the_same_service(world: Any, terms: Any) -> None:
    from conftest import sign_for

    membership = membership_in(world.org_a, S.INVITED)

    signature = sign_for(world, terms, world.org_a, world["admin_a"])

    step = MembershipTransition.objects.get(membership=membership)
    assert (step.from_state, step.to_state, step.actor, step.terms_version) == (
        S.INVITED,
        S.ACTIVE,
        world["admin_a"],
        terms.published,
    )
    assert step.at == signature.signed_at
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.state, stored.signed_version) == (S.ACTIVE, terms.published)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "agreement.signed",
        "membership.transition",
    ]

"""The membership state machine, and ending a membership."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, audit_records
from core.events import Event, EventType, emit, emit_many
from core.permissions import Action, can
from memberships.choices import TerminationReason
from memberships.models import Membership, MembershipTransition, TermsVersion
from memberships.services.common import TRANSITIONS, InvalidTransition, S
from organisations.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


def membership_for(organisation: Organisation) -> Membership:
    membership, _created = Membership.objects.get_or_create(organisation=organisation)
    return membership


def membership_transition(
    *,
    membership: Membership,
    to_state: str,
    actor: User | None = None,
    reason: str = "",
    terms_version: TermsVersion | None = None,
    termination_reason: str = "",
    at: dt.datetime | None = None,
) -> Membership:
    """Move a membership to ``to_state``. An illegal move raises InvalidTransition and changes nothing.

    Side effects: the history row and an audit event, in the caller's transaction (atomic here too)."""
    if to_state not in TRANSITIONS.get(membership.state, frozenset()):
        labels = dict(S.choices)  # an unknown state is named as given, not a ValueError from S(...)
        raise InvalidTransition(
            _("A membership cannot go from “%(from)s” to “%(to)s”.")
            % {"from": labels.get(membership.state, membership.state), "to": labels.get(to_state, to_state)},
            code="invalid_transition",
        )
    if to_state == S.TERMINATED and not termination_reason:
        raise ValidationError(_("A termination needs a reason."))
    at = at or timezone.now()
    with transaction.atomic():
        before = {"state": membership.state, "signed_version": membership.signed_version_id}
        from_state = membership.state
        membership.state = to_state
        if to_state == S.TERMINATED:
            membership.termination_reason = termination_reason
        elif membership.termination_reason:
            membership.termination_reason = ""
        if to_state == S.ACTIVE and terms_version is not None:
            membership.signed_version = terms_version
        membership.save()
        MembershipTransition.objects.create(
            membership=membership,
            from_state=from_state,
            to_state=to_state,
            terms_version=terms_version,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason,
            at=at,
        )
        audit_record(
            actor=actor,
            action="membership.transition",
            obj=membership,
            organisation_id=membership.organisation_id,
            before=before,
            after={
                "state": to_state,
                "signed_version": membership.signed_version_id,
                "termination_reason": membership.termination_reason,
            },
            reason=reason,
            at=at,
        )
        event_type = {str(S.ACTIVE): EventType.MEMBERSHIP_SIGNED, str(S.TERMINATED): EventType.MEMBERSHIP_ENDED}.get(
            to_state, EventType.MEMBER_CHANGED
        )
        emit(
            event_type,
            organisation_id=membership.organisation_id,
            data={
                "orgnr": membership.organisation.org_number,
                "state": to_state,
                "terms_version": membership.signed_version.label if membership.signed_version else None,
            },
        )
    return membership


def membership_transitions(
    moves: list[tuple[Membership, str]],
    *,
    actor: User | None = None,
    reason: str = "",
    terms_version: TermsVersion | None = None,
) -> list[Membership]:
    """``membership_transition`` for many memberships at once (a signing round's invitations), each moved to
    its state (not to terminated, which needs a reason of its own): the same checks, history rows, audit
    events (``core.audit.audit_records``: the same chain as one by one) and domain events
    (``core.events.emit_many``), in a fixed number of queries. The memberships are locked by the caller and
    have their organisation and signed version loaded. One illegal move raises InvalidTransition before
    anything is changed.

    The ``post_save`` receivers of Membership and MembershipTransition (cache generations: the status
    figures, the API's member answers) run once for the lot instead of once a row."""
    for membership, to_state in moves:
        if to_state not in TRANSITIONS.get(membership.state, frozenset()) or to_state == S.TERMINATED:
            labels = dict(S.choices)
            raise InvalidTransition(
                _("A membership cannot go from “%(from)s” to “%(to)s”.")
                % {"from": labels.get(membership.state, membership.state), "to": labels.get(to_state, to_state)},
                code="invalid_transition",
            )
    if not moves:
        return []
    at = timezone.now()
    history, audits, events = [], [], []
    with transaction.atomic(savepoint=False):
        for membership, to_state in moves:
            before = {"state": membership.state, "signed_version": membership.signed_version_id}
            from_state = membership.state
            membership.state = to_state
            membership.termination_reason = ""
            if to_state == S.ACTIVE and terms_version is not None:
                membership.signed_version = terms_version
            membership.updated_at = at
            history.append(
                MembershipTransition(
                    membership=membership,
                    from_state=from_state,
                    to_state=to_state,
                    terms_version=terms_version,
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                    reason=reason,
                    at=at,
                )
            )
            audits.append(
                {
                    "actor": actor,
                    "action": "membership.transition",
                    "obj": membership,
                    "organisation_id": membership.organisation_id,
                    "before": before,
                    "after": {
                        "state": to_state,
                        "signed_version": membership.signed_version_id,
                        "termination_reason": membership.termination_reason,
                    },
                    "reason": reason,
                    "at": at,
                }
            )
            events.append(
                Event(
                    type=EventType.MEMBERSHIP_SIGNED if to_state == S.ACTIVE else EventType.MEMBER_CHANGED,
                    organisation_id=membership.organisation_id,
                    data={
                        "orgnr": membership.organisation.org_number,
                        "state": to_state,
                        "terms_version": membership.signed_version.label if membership.signed_version else None,
                    },
                )
            )
        memberships = [membership for membership, _to in moves]
        # One UPDATE per resulting row (a round has two: invited, must re-sign), not bulk_update's CASE per row.
        alike: dict[tuple[str, str, int | None], list[int]] = defaultdict(list)
        for membership in memberships:
            alike[(membership.state, membership.termination_reason, membership.signed_version_id)].append(membership.pk)
        for (state, termination_reason, signed_version_id), pks in alike.items():
            Membership.objects.filter(pk__in=pks).update(
                state=state, termination_reason=termination_reason, signed_version_id=signed_version_id, updated_at=at
            )
        MembershipTransition.objects.bulk_create(history)
        audit_records(audits)
        emit_many(events)
        using = memberships[-1]._state.db or "default"
        post_save.send(Membership, instance=memberships[-1], created=False, update_fields=None, raw=False, using=using)
        post_save.send(
            MembershipTransition, instance=history[-1], created=True, update_fields=None, raw=False, using=using
        )
    return memberships


@transaction.atomic
def membership_terminate(*, actor: User, membership: Membership, termination_reason: str, note: str = "") -> Membership:
    """End a membership (NHN staff only). The reason is one of TerminationReason; the note is kept in
    the history and the audit trail."""
    if not can(actor, Action.MEMBERSHIP_MANAGE, membership.organisation):
        raise PermissionDenied
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    label = str(TerminationReason(termination_reason).label) if termination_reason in TerminationReason.values else ""
    if not label:
        raise ValidationError({"reason": _("Choose why the membership ends.")})
    return membership_transition(
        membership=membership,
        to_state=S.TERMINATED,
        actor=actor,
        termination_reason=termination_reason,
        reason=f"{label}. {note}".strip() if note else label,
    )

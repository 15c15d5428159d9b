"""Write-side rules of the Enhetsregisteret sync: membership rules, inviting candidates, follow-ups
and mergers. Every change that has weight is audited in the same transaction.

Invitations go through the memberships app's own flow (the state machine and the signing round's
invitation step), so an organisation invited from the candidate list is invited exactly as one
invited when terms are published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.permissions import Action, can
from enhetsregisteret.apply import RuleSet
from enhetsregisteret.choices import FollowUpReason, MergerKind
from enhetsregisteret.models import FollowUp, MembershipRule, Merger, RegisterEntry
from memberships import rounds
from memberships.choices import MembershipState, TerminationReason
from memberships.models import Membership, TermsVersion
from memberships.services import membership_for, membership_transition
from organisations.choices import RegisterStatus
from organisations.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User

S = MembershipState
INVITABLE = {S.NOT_MEMBER, S.TERMINATED}

# Sent inside the merger's transaction, after the old membership ended and the new organisation was
# invited: ``merger`` (a Merger), ``old`` and ``new`` (Organisations), ``actor``. Receivers move what
# belongs to the old organisation (connections, contacts) to the new one; an exception rolls it all back.
organisation_merged = Signal()


def _rule_snapshot(rule: MembershipRule) -> dict[str, Any]:
    return {"name": rule.name, "forms": rule.forms, "industry_prefixes": rule.industry_prefixes, "active": rule.active}


@transaction.atomic
def rule_save(*, actor: User, rule: MembershipRule) -> MembershipRule:
    """Create or change a rule, then re-evaluate which stored organisations must be members."""
    if not can(actor, Action.MEMBERSHIP_MANAGE):
        raise PermissionDenied
    before = None
    if rule.pk is not None:
        before = _rule_snapshot(MembershipRule.objects.select_for_update().get(pk=rule.pk))
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="register.rule_saved", obj=rule, before=before, after=_rule_snapshot(rule))
    reevaluate_rules()
    return rule


def reevaluate_rules() -> int:
    """Recompute ``must_be_member`` of every register entry from the active rules; returns how many
    changed. Only the changed rows are written."""
    rules = RuleSet()
    changed: list[RegisterEntry] = []
    rows = RegisterEntry.objects.select_related(None).values_list(
        "organisation_id",
        "must_be_member",
        "organisation__form",
        "organisation__industry_codes",
        "organisation__register_status",
    )
    for pk, current, form, codes, status in rows.iterator(chunk_size=5000):
        wanted = status == RegisterStatus.ACTIVE and rules.selects(form, codes or [])
        if wanted != current:
            changed.append(RegisterEntry(organisation_id=pk, must_be_member=wanted))
    RegisterEntry.objects.bulk_update(changed, ["must_be_member"], batch_size=1000)
    return len(changed)


# --- candidates and invitations ------------------------------------------------------------------


def candidates() -> Any:
    """Organisations the rules say must be members, active in the register, without a membership."""
    merged = Merger.objects.values("old_organisation_id")
    return (
        Organisation.objects.filter(register_entry__must_be_member=True, register_status=RegisterStatus.ACTIVE)
        .exclude(membership__state__in=[S.INVITED, S.ACTIVE, S.MUST_RESIGN, S.SUSPENDED])
        .exclude(pk__in=merged)
    )


@dataclass
class InvitationReport:
    invited: list[Organisation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def invite(organisation: Organisation, *, actor: User, reason: str, report: InvitationReport) -> bool:
    """Invite one organisation to sign the terms that apply to its form, through the signing round's
    own steps: the membership moves to invited and the invitation e-mail is queued exactly once."""
    version = TermsVersion.objects.current_for(organisation.form)
    if version is None:
        report.skipped.append(
            _("%(org)s: no published terms apply to organisation form %(form)s.")
            % {"org": organisation, "form": organisation.form}
        )
        return False
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership_for(organisation).pk)
        if membership.state not in INVITABLE:
            report.skipped.append(
                _("%(org)s: already %(state)s.") % {"org": organisation, "state": membership.get_state_display()}
            )
            return False
        membership_transition(
            membership=membership, to_state=S.INVITED, actor=actor, terms_version=version, reason=reason
        )
        rounds.queue_invitation(organisation, version)
    report.invited.append(organisation)
    return True


@transaction.atomic
def invite_candidates(*, actor: User, organisation_ids: list[int]) -> InvitationReport:
    """A membership manager approves invitations in bulk. Organisations that are no longer
    candidates (invited meanwhile, left the register) are skipped with the reason."""
    if not can(actor, Action.MEMBERSHIP_MANAGE):
        raise PermissionDenied
    if not organisation_ids:
        raise ValidationError(_("Choose at least one organisation to invite."))
    report = InvitationReport()
    chosen = Organisation.objects.filter(pk__in=organisation_ids).order_by("name")
    eligible = set(candidates().filter(pk__in=organisation_ids).values_list("pk", flat=True))
    for organisation in chosen:
        if organisation.pk not in eligible:
            report.skipped.append(_("%(org)s is no longer a candidate.") % {"org": organisation})
            continue
        if invite(
            organisation,
            actor=actor,
            reason=_("Must be a member according to Enhetsregisteret; invitation approved"),
            report=report,
        ):
            audit_record(
                actor=actor,
                action="register.invitation_approved",
                obj=organisation,
                organisation_id=organisation.pk,
                after={"org_number": organisation.org_number, "form": organisation.form},
            )
    return report


# --- follow-ups ----------------------------------------------------------------------------------


@transaction.atomic
def follow_up_resolve(*, actor: User, follow_up: FollowUp) -> FollowUp:
    """Mark a follow-up as handled (the membership itself is ended, if it should be, on the
    organisation's page). The organisation is never deleted."""
    if not can(actor, Action.MEMBERSHIP_MANAGE, follow_up.organisation):
        raise PermissionDenied
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.resolved_at is not None:
        raise ValidationError(_("This follow-up is already resolved."))
    follow_up.resolved_at = timezone.now()
    follow_up.resolved_by = actor
    follow_up.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="register.follow_up_resolved",
        obj=follow_up,
        organisation_id=follow_up.organisation_id,
        after={"reason": follow_up.reason},
    )
    return follow_up


# --- mergers -------------------------------------------------------------------------------------


def _merger_reason(merger: Merger) -> str:
    return _("%(kind)s: taken over by %(new)s (%(number)s) from %(date)s") % {
        "kind": str(MergerKind(merger.kind).label),
        "new": merger.new_organisation.name,
        "number": merger.new_organisation.org_number or "",
        "date": merger.effective_date.strftime("%d.%m.%Y"),
    }


def _check_merger(*, old: Organisation, new: Organisation, kind: str, exclude: int | None = None) -> None:
    if old.pk == new.pk:
        raise ValidationError(_("The old and the new organisation must be different."))
    if kind not in MergerKind.values:
        raise ValidationError(_("Choose the kind of change."))
    others = Merger.objects.filter(old_organisation=old, withdrawn_at__isnull=True)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError(_("%(org)s is already recorded as merged.") % {"org": old})


@transaction.atomic
def record_merger(
    *,
    actor: User,
    old: Organisation,
    new: Organisation,
    kind: str,
    effective_date: dt.date,
    note: str = "",
) -> tuple[Merger, InvitationReport]:
    """Record a municipality merger or change of owner (a new organisation number takes over).

    It is carried out on its effective date (``merger_apply``, run by ``manage.py apply_due_mergers``
    every day; at once when the date is today or past); until then it can be changed
    (``merger_update``) or withdrawn (``merger_withdraw``) and nothing else changes."""
    if not can(actor, Action.MEMBERSHIP_MANAGE):
        raise PermissionDenied
    _check_merger(old=old, new=new, kind=kind)
    merger = Merger.objects.create(
        old_organisation=old,
        new_organisation=new,
        kind=kind,
        effective_date=effective_date,
        note=note,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="register.merger_recorded",
        obj=merger,
        organisation_id=old.pk,
        after={"old": old.org_number, "new": new.org_number, "kind": kind, "effective_date": effective_date},
        reason=note,
    )
    if effective_date <= timezone.localdate():
        report = merger_apply(merger=merger, actor=actor)
        merger.refresh_from_db()
        return merger, report
    return merger, InvitationReport()


def _pending(merger: Merger) -> Merger:
    locked = Merger.objects.select_for_update().select_related("old_organisation", "new_organisation").get(pk=merger.pk)
    if not locked.is_pending:
        raise ValidationError(_("This change is already carried out or withdrawn: it can no longer be changed."))
    return locked


@transaction.atomic
def merger_update(
    *, actor: Any, merger: Merger, new: Organisation, kind: str, effective_date: dt.date, note: str = ""
) -> tuple[Merger, InvitationReport]:
    """Change a scheduled merger (new organisation, kind, date, note) before it is carried out."""
    if not can(actor, Action.MEMBERSHIP_MANAGE):
        raise PermissionDenied
    merger = _pending(merger)
    _check_merger(old=merger.old_organisation, new=new, kind=kind, exclude=merger.pk)
    before = {"new": merger.new_organisation.org_number, "kind": merger.kind, "effective_date": merger.effective_date}
    merger.new_organisation, merger.kind, merger.effective_date, merger.note = new, kind, effective_date, note
    merger.save(update_fields=["new_organisation", "kind", "effective_date", "note"])
    audit_record(
        actor=actor,
        action="register.merger_changed",
        obj=merger,
        organisation_id=merger.old_organisation_id,
        before=before,
        after={"new": new.org_number, "kind": kind, "effective_date": effective_date},
        reason=note,
    )
    if effective_date <= timezone.localdate():
        report = merger_apply(merger=merger, actor=actor)
        merger.refresh_from_db()
        return merger, report
    return merger, InvitationReport()


@transaction.atomic
def merger_withdraw(*, actor: Any, merger: Merger, reason: str = "") -> Merger:
    """Withdraw a scheduled merger before its date: nothing it would have done happens."""
    if not can(actor, Action.MEMBERSHIP_MANAGE):
        raise PermissionDenied
    merger = _pending(merger)
    merger.withdrawn_at = timezone.now()
    merger.withdrawn_by = actor if getattr(actor, "is_authenticated", False) else None
    merger.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor,
        action="register.merger_withdrawn",
        obj=merger,
        organisation_id=merger.old_organisation_id,
        reason=reason.strip()[:2000],
    )
    return merger


@transaction.atomic
def merger_apply(*, merger: Merger, actor: Any = None) -> InvitationReport:
    """Carry out a merger on (or after) its effective date, in one transaction: the old membership ends
    with the reason "merger" through the membership state machine, open register follow-ups of the old
    organisation are resolved, the new organisation is invited (when it is not a member already), and
    ``organisation_merged`` lets other apps move the old organisation's connections over."""
    merger = _pending(merger)
    if merger.effective_date > timezone.localdate():
        raise ValidationError(_("This change takes effect on %(date)s.") % {"date": merger.effective_date})
    old, new = merger.old_organisation, merger.new_organisation
    reason = _merger_reason(merger)
    membership = Membership.objects.select_for_update().get(pk=membership_for(old).pk)
    if membership.state not in {S.NOT_MEMBER, S.TERMINATED}:
        membership_transition(
            membership=membership,
            to_state=S.TERMINATED,
            actor=actor,
            termination_reason=TerminationReason.MERGER,
            reason=f"{reason}. {merger.note}".strip() if merger.note else reason,
        )
    now = timezone.now()
    merger.applied_at = now
    merger.save(update_fields=["applied_at"])
    FollowUp.objects.open().filter(organisation=old).update(resolved_at=now, resolved_by=merger.recorded_by)
    report = InvitationReport()
    if new.register_status == RegisterStatus.ACTIVE:
        invite(new, actor=actor, reason=reason, report=report)
    else:
        report.skipped.append(
            _("%(org)s is registered as “%(status)s” and was not invited.")
            % {"org": new, "status": new.get_register_status_display()}
        )
    audit_record(
        actor=actor,
        action="register.merger_applied",
        obj=merger,
        organisation_id=old.pk,
        after={"old": old.org_number, "new": new.org_number, "effective_date": merger.effective_date},
    )
    organisation_merged.send(sender=Merger, merger=merger, old=old, new=new, actor=actor)
    return report


def apply_due_mergers(today: dt.date | None = None) -> tuple[int, list[str]]:
    """Carry out every scheduled merger whose effective date has come (``manage.py apply_due_mergers``,
    daily). Each in its own transaction: one that fails is reported and left for the next run."""
    today = today or timezone.localdate()
    done, failures = 0, []
    due = Merger.objects.filter(applied_at__isnull=True, withdrawn_at__isnull=True, effective_date__lte=today)
    for merger in due.order_by("effective_date", "pk"):
        try:
            merger_apply(merger=merger)
        except Exception as exc:
            failures.append(f"{merger}: {exc}")
        else:
            done += 1
    return done, failures


FOLLOW_UP_REASONS = dict(FollowUpReason.choices)

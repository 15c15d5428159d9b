"""A signing round: invitations when terms are published, reminders before the deadline, and
blocking after it. Each run is idempotent: ReminderLog's unique step per organisation and version,
written in the same transaction as the queued e-mails, makes every notice go out exactly once even
when the job runs twice or crashes half-way (the crashed organisation's transaction rolls back whole).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.mail import mail_queue
from memberships.choices import MembershipState, ReminderStep, TerminationReason
from memberships.models import Membership, ReminderLog, Signature, TermsVersion
from memberships.services import membership_for, membership_transition, recipients_for
from memberships.why import why_membership
from organisations.choices import RegisterStatus
from organisations.models import Organisation

S = MembershipState


@dataclass
class RoundReport:
    invited: int = 0
    reminded: int = 0
    suspended: int = 0
    emails: int = 0
    skipped: list[str] = field(default_factory=list)


def _unsigned_required(version: TermsVersion, *, reinvite_ended: bool = False) -> QuerySet[Organisation]:
    """Who must still sign ``version``. An organisation whose membership has ended is not reminded; new
    terms invite one that left by its own notice again (``reinvite_ended``), never one that merged into
    another or left the register."""
    signed = Signature.objects.filter(terms_version=version).values("organisation_id")
    ended = Q(membership__state=S.TERMINATED)
    if reinvite_ended:
        ended &= Q(
            membership__termination_reason__in=[TerminationReason.MERGER, TerminationReason.DELETED_FROM_REGISTER]
        )
    return (
        Organisation.objects.filter(form__in=version.required_forms, register_status=RegisterStatus.ACTIVE)
        .exclude(pk__in=signed)
        .exclude(ended)
        .order_by("pk")
    )


def invitation_preview(version: TermsVersion) -> tuple[int, int]:
    """(how many organisations publishing ``version`` invites, how many of them nobody can be reached at:
    no active administrator or signatory and no e-mail address of their own). Two queries."""
    from core.roles import OrganisationRoleType
    from organisations.models import OrganisationRole

    invited = _unsigned_required(version, reinvite_ended=True)
    reachable = OrganisationRole.objects.active().filter(
        role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY]
    )
    unreachable = invited.filter(email="").exclude(pk__in=reachable.values("organisation_id"))
    return invited.count(), unreachable.count()


def _notify(organisation: Organisation, version: TermsVersion, step: str, template: str, report: RoundReport) -> bool:
    """Log the step and queue its e-mails in one transaction; False when the step was taken before, or when
    there is nobody to send it to (then nothing is logged: a reminder is recorded only when a message was
    queued for someone, and the organisation is listed as having nobody to notify)."""
    recipients = recipients_for(organisation)
    if not recipients:
        report.skipped.append(_("%(org)s: nobody to notify.") % {"org": organisation})
        return False
    try:
        with transaction.atomic():
            ReminderLog.objects.create(organisation=organisation, terms_version=version, step=step)
            days_left = (version.sign_by - timezone.localdate()).days
            queued = mail_queue(
                template=template,
                recipients=recipients,
                context={
                    "organisation": organisation,
                    "version": version,
                    "days_left": days_left,
                    "why": why_membership(organisation),
                    "sign_url": f"{settings.PORTAL_BASE_URL}/memberships/organisations/{organisation.pk}/sign/",
                },
                key=f"{step}:{version.pk}:{organisation.pk}",
            )
            report.emails += len(queued)
    except IntegrityError:
        return False
    return True


def queue_invitation(organisation: Organisation, version: TermsVersion) -> bool:
    """Queue the invitation to sign ``version`` to the organisation's people, exactly once (for one
    organisation invited outside a round, e.g. a new unit from Enhetsregisteret)."""
    return _notify(organisation, version, ReminderStep.INVITATION, "memberships/email/invitation", RoundReport())


def send_invitations(version: TermsVersion) -> RoundReport:
    """Invite every organisation that must sign ``version``: its membership moves to invited (or to
    must re-sign, when it is a member under older terms), and its people get an e-mail."""
    report = RoundReport()
    for organisation in _unsigned_required(version, reinvite_ended=True).iterator():
        with transaction.atomic():
            if ReminderLog.objects.filter(
                organisation=organisation, terms_version=version, step=ReminderStep.INVITATION
            ).exists():
                continue
            membership = Membership.objects.select_for_update().get(pk=membership_for(organisation).pk)
            target = {S.NOT_MEMBER: S.INVITED, S.TERMINATED: S.INVITED, S.ACTIVE: S.MUST_RESIGN}.get(membership.state)  # type: ignore[call-overload]  # the state is a MembershipState value
            if target:
                membership_transition(
                    membership=membership,
                    to_state=target,
                    terms_version=version,
                    reason=_("New terms %(label)s published") % {"label": version.label},
                )
            if _notify(organisation, version, ReminderStep.INVITATION, "memberships/email/invitation", report):
                report.invited += 1
    return report


def send_reminders(today: dt.date | None = None) -> RoundReport:
    """Remind organisations that have not signed, at the configured days before the deadline. When
    several steps are due (the job did not run for a while) only the nearest is sent."""
    today = today or timezone.localdate()
    report = RoundReport()
    for version in TermsVersion.objects.published().filter(sign_by__gte=today):
        days_left = (version.sign_by - today).days
        due = [day for day in settings.MEMBERSHIP_REMINDER_DAYS if days_left <= day]
        if not due:
            continue
        step = str(min(due))
        for organisation in _unsigned_required(version).iterator():
            if TermsVersion.objects.current_for(organisation.form) != version:
                continue  # newer terms replace these for this organisation; only they are reminded of
            if _notify(organisation, version, step, "memberships/email/reminder", report):
                report.reminded += 1
    return report


def enforce_deadlines(today: dt.date | None = None) -> RoundReport:
    """Block members that let a deadline pass without signing, as NHN has done before."""
    today = today or timezone.localdate()
    report = RoundReport()
    for version in TermsVersion.objects.published().filter(sign_by__lt=today):
        late = Membership.objects.filter(
            organisation__in=_unsigned_required(version), state__in=[S.INVITED, S.MUST_RESIGN]
        ).select_related("organisation")
        for membership in late:
            if TermsVersion.objects.current_for(membership.organisation.form) != version:
                continue  # a newer round has started; its own deadline applies
            with transaction.atomic():
                membership_transition(
                    membership=Membership.objects.select_for_update().get(pk=membership.pk),
                    to_state=S.SUSPENDED,
                    terms_version=version,
                    reason=_("The deadline %(date)s passed without a signature on the terms %(label)s")
                    % {"date": version.sign_by.strftime("%d.%m.%Y"), "label": version.label},
                )
            report.suspended += 1
    return report


def remind_now(*, actor: object, organisation: Organisation, version: TermsVersion) -> bool:
    """A membership manager reminds one organisation at once; at most once a day, and not after it
    signed. Raises ValidationError when there is no one to send the reminder to."""
    if Signature.objects.filter(organisation=organisation, terms_version=version).exists():
        return False
    if not recipients_for(organisation):
        raise ValidationError(
            _("%(org)s has no administrator, signatory or e-mail address to remind. Add a contact first.")
            % {"org": organisation}
        )
    step = f"manual-{timezone.localdate().isoformat()}"
    report = RoundReport()
    with transaction.atomic():
        sent = _notify(organisation, version, step, "memberships/email/reminder", report)
        if sent:
            audit_record(
                actor=actor,
                action="membership.reminded",
                obj=organisation,
                organisation_id=organisation.pk,
                after={"terms_version": version.label, "emails": report.emails},
            )
    return sent

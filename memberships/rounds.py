"""A signing round: invitations when terms are published, reminders before the deadline, and
blocking after it. Each run is idempotent: ReminderLog's unique step per organisation and version,
written in the same transaction as the queued e-mails, makes every notice go out exactly once even
when the job runs twice or crashes half-way (the crashed transaction rolls back whole).

Organisations are invited and reminded in batches (INVITATION_BATCH), one transaction and a fixed number of
queries each; a batch that fails goes one organisation at a time, as every notice went before batches.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.mail import Notice, mail_batch, mail_queue, mail_queue_many, mail_render, one_line, render_text
from lib.iterables import batched
from memberships.choices import MembershipState, ReminderStep, TerminationReason
from memberships.models import BulkReminder, Membership, ReminderLog, Signature, TermsVersion
from memberships.services import membership_for, membership_transition, membership_transitions, recipients_for
from memberships.why import why_membership
from organisations.choices import RegisterStatus
from organisations.models import Organisation

S = MembershipState
logger = logging.getLogger(__name__)


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


def _mail_context(organisation: Organisation, version: TermsVersion) -> dict[str, object]:
    """What the invitation and reminder e-mails are rendered with."""
    return {
        "organisation": organisation,
        "version": version,
        "days_left": (version.sign_by - timezone.localdate()).days,
        "why": why_membership(organisation),
        "sign_url": f"{settings.PORTAL_BASE_URL}/memberships/organisations/{organisation.pk}/sign/",
    }


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
            queued = mail_queue(
                template=template,
                recipients=recipients,
                context=_mail_context(organisation, version),
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


# Organisations per invitation job: a round of 70,000 becomes 140 jobs, which every worker takes part in.
INVITATION_CHUNK = 500


def start_invitations(version: TermsVersion) -> int:
    """The publishing job: split the organisations to invite into chunks of INVITATION_CHUNK, one job each
    (memberships.tasks.send_invitation_chunk), so that all workers invite at once. A round of one chunk runs
    here and now. Returns the number of chunk jobs enqueued."""
    ids = list(_unsigned_required(version, reinvite_ended=True).values_list("pk", flat=True))
    if len(ids) <= INVITATION_CHUNK:
        send_invitations(version)
        return 0
    from memberships.tasks import send_invitation_chunk

    last = ids[-1]
    chunks = [ids[start : start + INVITATION_CHUNK] for start in range(0, len(ids), INVITATION_CHUNK)]
    for chunk in chunks:
        send_invitation_chunk.enqueue(version.pk, chunk, last)
    return len(chunks)


def send_invitations(
    version: TermsVersion, organisation_ids: list[int] | None = None, *, last_id: int | None = None
) -> RoundReport:
    """Invite every organisation that must sign ``version`` (or those of ``organisation_ids`` that must): its
    membership moves to invited (or to must re-sign, when it is a member under older terms), and its people
    get an e-mail, delivered in batches over one SMTP connection each (core.mail.mail_batch).

    The organisations are invited INVITATION_BATCH at a time, in one transaction each (``_invite_batch``).

    The round is marked done (``invitations_done_at``) when every organisation has had its turn: at the end
    of a run over all, or, for a chunk, when none of the round's organisations (up to ``last_id``) that
    someone can be reached at is left uninvited (the chunk that finishes last sees the others' work)."""
    report = RoundReport()
    organisations = _unsigned_required(version, reinvite_ended=True)
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    invited_before = _invited_before(version, organisations)
    with mail_batch():
        due = (organisation for organisation in organisations.iterator() if organisation.pk not in invited_before)
        for batch in batched(due, INVITATION_BATCH):
            _invite_batch(version, batch, report)
    if organisation_ids is None or not _invitations_left(version, last_id):
        # Every organisation has had its turn: the progress on the terms page stops counting organisations.
        TermsVersion.objects.filter(pk=version.pk, invitations_done_at__isnull=True).update(
            invitations_done_at=timezone.now()
        )
    return report


# Organisations invited together, in one transaction (a chunk job of INVITATION_CHUNK has five such batches).
INVITATION_BATCH = 100
# How an invitation moves a membership; other states (invited, must re-sign, suspended) stay as they are.
_INVITATION_MOVES = {S.NOT_MEMBER: S.INVITED, S.TERMINATED: S.INVITED, S.ACTIVE: S.MUST_RESIGN}


def _invite_batch(version: TermsVersion, organisations: list[Organisation], report: RoundReport) -> None:
    """Invite ``organisations`` together (``_invite_together``), all or none in one transaction. When that
    fails (an illegal move, a notice logged by another run in between), the batch is invited one
    organisation at a time instead (``_invite_one``), so that one organisation's problem does not keep
    the others from their invitations; an organisation that fails alone is logged and listed as skipped."""
    together = RoundReport()
    try:
        with transaction.atomic():
            _invite_together(version, organisations, together)
    except (ValidationError, IntegrityError) as exc:
        logger.warning(
            "Inviting %s organisations together failed (%s); one at a time instead.", len(organisations), exc
        )
        for organisation in organisations:
            try:
                _invite_one(version, organisation, report)
            except ValidationError as error:
                logger.error(
                    "Organisation %s was not invited to sign %s: %s",
                    organisation.pk,
                    version.label,
                    " ".join(error.messages),
                )
                report.skipped.append(
                    _("%(org)s: not invited: %(error)s") % {"org": organisation, "error": " ".join(error.messages)}
                )
        return
    report.invited += together.invited
    report.emails += together.emails
    report.skipped += together.skipped


def _invitation_reason(version: TermsVersion) -> str:
    return _("New terms %(label)s published") % {"label": version.label}


def _invite_together(version: TermsVersion, organisations: list[Organisation], report: RoundReport) -> None:
    """In the caller's transaction, invite each of ``organisations`` not yet invited, as ``_invite_one`` does
    for one, in a fixed number of queries: their memberships locked together (created where missing), the
    moves with their history rows and audit events (``membership_transitions``), the invitations logged and
    queued (``_notify_together``)."""
    ids = [organisation.pk for organisation in organisations]
    memberships = {
        membership.organisation_id: membership
        for membership in Membership.objects.select_for_update(of=("self",))
        .select_related("signed_version")
        .filter(organisation_id__in=ids)
        .order_by("pk")
    }
    missing = [Membership(organisation_id=pk) for pk in ids if pk not in memberships]
    for membership in Membership.objects.bulk_create(missing):
        memberships[membership.organisation_id] = membership
    # Under the locks: what another run invited a moment ago is not invited again.
    logged = _logged(version, ReminderStep.INVITATION, ids)
    todo = [organisation for organisation in organisations if organisation.pk not in logged]
    moves = []
    for organisation in todo:
        membership = memberships[organisation.pk]
        membership.organisation = organisation
        target = _INVITATION_MOVES.get(membership.state)  # type: ignore[call-overload]  # the state is a MembershipState value
        if target:
            moves.append((membership, str(target)))
    membership_transitions(moves, terms_version=version, reason=_invitation_reason(version))
    report.invited += _notify_together(
        todo, version, ReminderStep.INVITATION, "memberships/email/invitation", report, logged=set()
    )


def _invite_one(version: TermsVersion, organisation: Organisation, report: RoundReport) -> None:
    """Invite one organisation in a transaction of its own (the way every organisation was invited before
    batches; now the fallback of ``_invite_batch``)."""
    with transaction.atomic():
        if ReminderLog.objects.filter(
            organisation=organisation, terms_version=version, step=ReminderStep.INVITATION
        ).exists():
            return  # another run invited it a moment ago
        membership = Membership.objects.select_for_update().get(pk=membership_for(organisation).pk)
        target = _INVITATION_MOVES.get(membership.state)  # type: ignore[call-overload]  # the state is a MembershipState value
        if target:
            membership_transition(
                membership=membership, to_state=target, terms_version=version, reason=_invitation_reason(version)
            )
        if _notify(organisation, version, ReminderStep.INVITATION, "memberships/email/invitation", report):
            report.invited += 1


def _invited_before(version: TermsVersion, organisations: QuerySet[Organisation]) -> set[int]:
    return set(
        ReminderLog.objects.filter(
            terms_version=version, step=ReminderStep.INVITATION, organisation__in=organisations
        ).values_list("organisation_id", flat=True)
    )


def _logged(version: TermsVersion, step: str, organisation_ids: list[int]) -> set[int]:
    """Which of the organisations have had ``step`` of ``version`` already."""
    return set(
        ReminderLog.objects.filter(terms_version=version, step=step, organisation_id__in=organisation_ids).values_list(
            "organisation_id", flat=True
        )
    )


def _recipients_together(organisations: list[Organisation]) -> dict[int, list[str]]:
    """``recipients_for`` of each organisation, in one query."""
    from core.roles import OrganisationRoleType
    from organisations.models import OrganisationRole

    people: dict[int, list[str]] = defaultdict(list)
    rows = (
        OrganisationRole.objects.active()
        .filter(
            organisation_id__in=[organisation.pk for organisation in organisations],
            role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY],
        )
        .values_list("organisation_id", "user__email")
        .distinct()
    )
    for organisation_id, email in rows:
        people[organisation_id].append(email)
    return {
        organisation.pk: people.get(organisation.pk) or ([organisation.email] if organisation.email else [])
        for organisation in organisations
    }


# Stand-ins for an organisation's name and id in a rendering shared by a batch (_FilledIn): letters that no
# template or translation contains, and a "<" that tells where the name is escaped ("&lt;") and where not.
_NAME = "Qz7OrgNameQz<"
_PK = "Qz7OrgIdQz"
_UNFIT = ("", "", "")


class _FilledIn:
    """A batch's invitations or reminders rendered once per language (and number of days left, and whether
    the organisation's form has a "why"), for a stand-in organisation, and each organisation's name and id
    then filled in, escaped where the template escapes it: the same text as rendering each, at a fraction of
    the cost. The first organisation of each kind is rendered in full as well and compared; if the two
    differ (a template that changes the name, as ``|upper`` would), every organisation of that kind is
    rendered in full."""

    def __init__(self, template: str, version: TermsVersion) -> None:
        self.template, self.version = template, version
        self.shared: dict[tuple[str, int, bool], tuple[str, str, str]] = {}

    def render(self, organisation: Organisation, code: str) -> tuple[str, str, str]:
        context = _mail_context(organisation, self.version)
        kind = (code, int(context["days_left"]), context["why"] is not None)  # type: ignore[call-overload]  # days are an int
        shared = self.shared.get(kind)
        if shared is None:
            real = mail_render(self.template, context, code)
            stand_in = Organisation(pk=_PK, name=_NAME, form=organisation.form, written_form=organisation.written_form)
            stand_in_context = {**_mail_context(stand_in, self.version), "days_left": context["days_left"]}
            shared = mail_render(self.template, stand_in_context, code)
            if self._fill(shared, organisation) != real:
                shared = _UNFIT  # the name is not where the stand-in says (or the template does not show it)
            self.shared[kind] = shared
            return real
        if shared is _UNFIT:
            return mail_render(self.template, context, code)
        return self._fill(shared, organisation)

    @staticmethod
    def _fill(rendered: tuple[str, str, str], organisation: Organisation) -> tuple[str, str, str]:
        name, pk = organisation.name, str(organisation.pk)

        def fill(text: str) -> str:
            return text.replace(escape(_NAME), escape(name)).replace(_NAME, name).replace(_PK, pk)

        subject, text, html = rendered
        return one_line(fill(subject)), fill(text), fill(html)


def _notify_together(
    organisations: list[Organisation],
    version: TermsVersion,
    step: str,
    template: str,
    report: RoundReport,
    *,
    logged: set[int] | None = None,
) -> int:
    """``_notify`` for each organisation, in the caller's transaction and a fixed number of queries: the
    steps taken before (skipped; ``logged`` when the caller knows them), the recipients, the log rows, the
    e-mails (``core.mail.mail_queue_many``). Returns how many organisations were notified. A step logged
    by another run in between raises IntegrityError: the caller falls back to ``_notify`` one by one."""
    if logged is None:
        logged = _logged(version, step, [organisation.pk for organisation in organisations])
    organisations = [organisation for organisation in organisations if organisation.pk not in logged]
    recipients = _recipients_together(organisations)
    reached = []
    for organisation in organisations:
        if recipients[organisation.pk]:
            reached.append(organisation)
        else:
            report.skipped.append(_("%(org)s: nobody to notify.") % {"org": organisation})
    ReminderLog.objects.bulk_create(
        [ReminderLog(organisation=organisation, terms_version=version, step=step) for organisation in reached]
    )
    filled = _FilledIn(template, version)
    queued = mail_queue_many(
        [
            Notice(
                template=template,
                recipients=recipients[organisation.pk],
                context=_mail_context(organisation, version),
                key=f"{step}:{version.pk}:{organisation.pk}",
                render=functools.partial(filled.render, organisation),
            )
            for organisation in reached
        ]
    )
    report.emails += sum(len(mails) for mails in queued)
    return len(reached)


def _invitations_left(version: TermsVersion, last_id: int | None) -> bool:
    """Is any organisation of the round still to be invited: one that must sign, has no invitation yet, and
    that someone can be reached at (as ``recipients_for``: an active administrator or signatory, or an
    address of its own)? Organisations added after the round began (above ``last_id``) are not its."""
    from core.roles import OrganisationRoleType
    from organisations.models import OrganisationRole

    invited = ReminderLog.objects.filter(terms_version=version, step=ReminderStep.INVITATION)
    reachable = OrganisationRole.objects.active().filter(
        role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY]
    )
    left = (
        _unsigned_required(version, reinvite_ended=True)
        .exclude(pk__in=invited.values("organisation_id"))
        .filter(Q(pk__in=reachable.values("organisation_id")) | ~Q(email=""))
    )
    if last_id is not None:
        left = left.filter(pk__lte=last_id)
    return left.exists()


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
        with mail_batch():
            organisations = _under_these_terms(version, _unsigned_required(version).iterator())
            for batch in batched(organisations, INVITATION_BATCH):
                report.reminded += _notify_batch(batch, version, step, "memberships/email/reminder", report)
    return report


def _under_these_terms(version: TermsVersion, organisations: Iterator[Organisation]) -> Iterator[Organisation]:
    """The organisations whose current terms are ``version``: newer terms replace it for an organisation,
    and only they are reminded of (the current version looked up once per organisation form)."""
    current: dict[str, TermsVersion | None] = {}
    for organisation in organisations:
        if organisation.form not in current:
            current[organisation.form] = TermsVersion.objects.current_for(organisation.form)
        if current[organisation.form] == version:
            yield organisation


def _notify_batch(
    organisations: list[Organisation], version: TermsVersion, step: str, template: str, report: RoundReport
) -> int:
    """``_notify`` for each organisation, together in one transaction (``_notify_together``); one at a time
    when that fails (another run logged one of them in between). Returns how many were notified."""
    together = RoundReport()
    try:
        with transaction.atomic():
            notified = _notify_together(organisations, version, step, template, together)
    except IntegrityError:
        logger.warning("Notifying %s organisations together failed; one at a time instead.", len(organisations))
        return sum(_notify(organisation, version, step, template, report) for organisation in organisations)
    report.emails += together.emails
    report.skipped += together.skipped
    return notified


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


# --- the progress of a round's invitations ------------------------------------------------------


@dataclass(frozen=True)
class InvitationProgress:
    """How far the invitations of a published version have come, from the outbox: organisations
    invited of those planned at publication, and their e-mails delivered, waiting or failed."""

    planned: int
    unreachable: int
    invited: int
    emails: int
    sent: int
    failed: int
    pending: int
    organisations_done: bool

    @property
    def finished(self) -> bool:
        """Every organisation had its turn and no e-mail is waiting: nothing more will change."""
        return self.organisations_done and self.pending == 0

    @property
    def handled(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        """E-mails handled (delivered or given up) of those queued, rounded down: 100 only when all are."""
        if not self.emails:
            return 100 if self.finished else 0
        return self.handled * 100 // self.emails


def invitation_progress(version: TermsVersion) -> InvitationProgress:
    """Two queries: the organisations invited, and the outbox's invitation e-mails counted by status."""
    from django.db.models import Count

    from core.models import OutboundEmail

    invited = ReminderLog.objects.filter(terms_version=version, step=ReminderStep.INVITATION).count()
    counts = dict(
        OutboundEmail.objects.filter(key__startswith=f"{ReminderStep.INVITATION}:{version.pk}:")
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    status = OutboundEmail.Status
    return InvitationProgress(
        planned=version.invitations_planned or 0,
        unreachable=version.invitations_unreachable or 0,
        invited=invited,
        emails=sum(counts.values()),
        sent=counts.get(status.SENT, 0),
        failed=counts.get(status.FAILED, 0) + counts.get(status.CANCELLED, 0),
        pending=counts.get(status.PENDING, 0),
        organisations_done=version.invitations_done_at is not None,
    )


# --- reminding everyone who has not signed --------------------------------------------------------


class AlreadyRemindedToday(ValidationError):
    """Everyone was reminded of this version today already: when, and by whom."""

    def __init__(self, earlier: BulkReminder) -> None:
        self.earlier = earlier
        by = earlier.sent_by.get_full_name() if earlier.sent_by else _("the system")
        super().__init__(
            _(
                "Everyone who has not signed was reminded today already, at %(time)s by %(person)s. "
                "A reminder to everyone can go at most once a day: try again tomorrow."
            )
            % {"time": timezone.localtime(earlier.created_at).strftime("%H:%M"), "person": by},
            code="already_reminded_today",
        )


def _due_for_reminder(version: TermsVersion) -> QuerySet[Organisation]:
    """Who a reminder of ``version`` is for: the organisations that must still sign it, of the forms for
    which it is the current version (newer terms replace it for the others), as the scheduled reminders."""
    forms = [form for form in version.required_forms if TermsVersion.objects.current_for(form) == version]
    return _unsigned_required(version).filter(form__in=forms)


@dataclass
class RemindEveryonePreview:
    """What "remind everyone" would do now: who gets a reminder, who nobody can be reached at, who was
    reminded today already (not again), a sample of the message, and the earlier reminder today if any."""

    reachable: list[Organisation]
    unreachable: list[Organisation]
    reminded_today: int
    sample_subject: str
    sample_body: str
    earlier: BulkReminder | None

    @property
    def count(self) -> int:
        return len(self.reachable)


def remind_everyone_preview(version: TermsVersion, *, sample: bool = True) -> RemindEveryonePreview:
    """A fixed number of queries, however many organisations (plus the sample's rendering)."""
    from core.roles import OrganisationRoleType
    from organisations.models import OrganisationRole

    today = timezone.localdate()
    due = list(_due_for_reminder(version).only("pk", "name", "email", "form", "written_form"))
    ids = [org.pk for org in due]
    with_people = set(
        OrganisationRole.objects.active()
        .filter(organisation_id__in=ids, role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY])
        .values_list("organisation_id", flat=True)
    )
    reminded = set(
        ReminderLog.objects.filter(
            terms_version=version, step=f"manual-{today.isoformat()}", organisation_id__in=ids
        ).values_list("organisation_id", flat=True)
    )
    reachable = [org for org in due if (org.pk in with_people or org.email) and org.pk not in reminded]
    unreachable = [org for org in due if org.pk not in with_people and not org.email]
    subject = body = ""
    if sample and reachable:
        context = _mail_context(reachable[0], version)
        subject = one_line(render_text("memberships/email/reminder_subject.txt", context))
        body = render_text("memberships/email/reminder_body.txt", context)
    earlier = BulkReminder.objects.select_related("sent_by").filter(terms_version=version, day=today).first()
    return RemindEveryonePreview(reachable, unreachable, len(reminded), subject, body, earlier)


def remind_everyone(*, actor: Any, version: TermsVersion) -> BulkReminder:
    """Confirmed by a membership manager: remind everyone who must still sign ``version``, through the job
    queue (memberships.tasks.send_bulk_reminder). At most once a day per version (a second attempt raises
    AlreadyRemindedToday, naming when and by whom); each organisation at most once a day, also counting
    a reminder sent to it alone today."""
    if not version.is_published or version.deadline_passed:
        raise ValidationError(_("Only terms that are published and whose deadline has not passed can be reminded of."))
    today = timezone.localdate()
    earlier = BulkReminder.objects.select_related("sent_by").filter(terms_version=version, day=today).first()
    if earlier is not None:
        raise AlreadyRemindedToday(earlier)
    preview = remind_everyone_preview(version, sample=False)
    try:
        with transaction.atomic():
            reminder = BulkReminder.objects.create(
                terms_version=version,
                day=today,
                sent_by=actor if getattr(actor, "is_authenticated", False) else None,
                planned=preview.count,
                nobody_to_notify=len(preview.unreachable),
            )
            audit_record(
                actor=actor,
                action="membership.reminded_everyone",
                obj=reminder,
                after={"terms_version": version.label, "organisations": preview.count},
            )
            from memberships.tasks import send_bulk_reminder

            transaction.on_commit(lambda: send_bulk_reminder.enqueue(reminder.pk))
    except IntegrityError:  # a second manager confirmed at the same moment: theirs stands
        raise AlreadyRemindedToday(
            BulkReminder.objects.select_related("sent_by").get(terms_version=version, day=today)
        ) from None
    return reminder


def run_bulk_reminder(reminder: BulkReminder) -> RoundReport:
    """The job: one reminder per organisation still due, under the day's manual step (so an organisation
    already reminded today, alone or by a run that crashed half-way, is not reminded twice)."""
    version = reminder.terms_version
    report = RoundReport()
    step = f"manual-{reminder.day.isoformat()}"
    with mail_batch():
        for batch in batched(_due_for_reminder(version).iterator(), INVITATION_BATCH):
            report.reminded += _notify_batch(batch, version, step, "memberships/email/reminder", report)
    BulkReminder.objects.filter(pk=reminder.pk).update(
        reminded=ReminderLog.objects.filter(
            terms_version=version, step=step, created_at__gte=reminder.created_at
        ).count(),
        finished_at=timezone.now(),
    )
    return report

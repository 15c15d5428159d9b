"""Write-side rules of memberships: terms, the membership state machine, signing and delegation.

Every change writes an audit event (core.audit) in the same transaction. E-mails are queued in the
outbox (core.mail) in that transaction too, and delivered by a background task after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.step_up import StepUp
from accounts.step_up import verify as verify_step_up
from core import authority as registers
from core.audit import audit_record, canonical_json
from core.events import EventType, emit
from core.mail import mail_cancel_pending, mail_queue
from core.permissions import Action, can
from core.roles import OrganisationRoleType, SignatoryBasis
from memberships import documents
from memberships.choices import MembershipState, TerminationReason, TermsStatus
from memberships.models import Membership, MembershipTransition, Signature, TermsVersion
from organisations.choices import RegisterStatus
from organisations.models import Organisation, OrganisationRole

if TYPE_CHECKING:
    from accounts.models import User

S = MembershipState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOT_MEMBER: frozenset({S.INVITED, S.ACTIVE}),
    S.INVITED: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.ACTIVE: frozenset({S.MUST_RESIGN, S.SUSPENDED, S.TERMINATED}),
    S.MUST_RESIGN: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.TERMINATED: frozenset({S.INVITED, S.ACTIVE}),
}
TERMS_FIELDS = [
    "label",
    "membership_terms",
    "data_processing",
    "customer_agreement",
    "effective_date",
    "sign_by",
    "required_forms",
]


class InvalidTransition(ValidationError):
    pass


class TermsChanged(ValidationError):
    """What the signatory was shown is no longer what would be signed: nothing is stored."""

    def __init__(self, *, shown_label: str, current: TermsVersion) -> None:
        self.current = current
        super().__init__(
            _(
                "The terms changed while you had the page open: you read %(shown)s, and %(current)s is now the "
                "version to sign. Nothing was signed. Read the new version below and sign again."
            )
            % {"shown": shown_label or _("another version"), "current": current.label},
            code="terms_changed",
        )


class AuthorityRefused(PermissionDenied):
    """The registers do not give this person authority to sign; the reason and the way forward say why."""

    def __init__(self, decision: AuthorityDecision) -> None:
        self.decision = decision
        super().__init__(decision.reason)


class AlreadySigned(ValidationError):
    def __init__(self, signature: Signature) -> None:
        self.signature = signature
        super().__init__(
            _("Already signed by %(name)s at %(time)s.")
            % {
                "name": signature.signer_name,
                "time": timezone.localtime(signature.signed_at).strftime("%d.%m.%Y %H:%M"),
            },
            code="already_signed",
        )


def _snapshot(version: TermsVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in [*TERMS_FIELDS, "status", "text_sha256"]}


def terms_text_sha256(version: TermsVersion) -> str:
    """SHA-256 of the exact text of a version: label, dates, forms and the three documents."""
    return hashlib.sha256(canonical_json({name: getattr(version, name) for name in TERMS_FIELDS}).encode()).hexdigest()


# --- terms -------------------------------------------------------------------------------------


@transaction.atomic
def terms_save_draft(*, actor: User, version: TermsVersion) -> TermsVersion:
    """Create or change a draft. A published version never changes: a correction is a new version."""
    if not can(actor, Action.TERMS_MANAGE):
        raise PermissionDenied
    before = None
    if version.pk is not None:
        stored = TermsVersion.objects.select_for_update().get(pk=version.pk)
        if stored.status != TermsStatus.DRAFT:
            raise ValidationError(_("A published version cannot be changed. Make a new version instead."))
        before = _snapshot(stored)
    version.status = TermsStatus.DRAFT
    version.created_by = version.created_by or actor
    version.full_clean()
    version.save()
    audit_record(actor=actor, action="terms.draft_saved", obj=version, before=before, after=_snapshot(version))
    return version


@transaction.atomic
def terms_publish(*, actor: User, version: TermsVersion) -> TermsVersion:
    """Publish a draft: freeze its text hash and start the signing round (invitations are sent by a
    background task, so publishing returns at once)."""
    if not can(actor, Action.TERMS_MANAGE):
        raise PermissionDenied
    version = TermsVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != TermsStatus.DRAFT:
        raise ValidationError(_("This version is already published."))
    if version.sign_by < timezone.localdate():
        raise ValidationError(_("The deadline has passed. Choose a later sign-by date before publishing."))
    before = _snapshot(version)
    version.status = TermsStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.text_sha256 = terms_text_sha256(version)
    from memberships.rounds import invitation_preview  # rounds builds on this module

    # What the round sets out to do, for its progress on the terms page.
    version.invitations_planned, version.invitations_unreachable = invitation_preview(version)
    version.save()
    audit_record(actor=actor, action="terms.published", obj=version, before=before, after=_snapshot(version))
    from memberships.tasks import send_invitations

    transaction.on_commit(lambda: send_invitations.enqueue(version.pk))
    return version


# --- the state machine ---------------------------------------------------------------------------


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


# --- signing authority ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """Why this person may sign now, as recorded on the signature.

    ``basis`` is the grant's kind (a delegation, a staff override) or, for authority read from a register,
    ``<source>:<role code>`` (``enhetsregisteret:DAGL``); ``role_code``, ``register_read_at`` and
    ``matched_entry`` say which register entry it rests on and when the register was read."""

    grant: OrganisationRole | None
    basis: str
    text: str
    role_code: str = ""
    register_read_at: dt.datetime | None = None
    matched_entry: dict[str, Any] = field(default_factory=dict)

    @property
    def delegated(self) -> bool:
        return self.basis == SignatoryBasis.DELEGATED

    @property
    def evidence(self) -> dict[str, Any]:
        """What the signature stores about its basis."""
        return {
            "basis": self.basis,
            "role_code": self.role_code,
            "register_read_at": self.register_read_at.isoformat() if self.register_read_at else None,
            "matched_entry": self.matched_entry,
        }


@dataclass(frozen=True)
class AuthorityDecision:
    """The answer to "may this person sign for this organisation now?", with the reason when not."""

    authority: Authority | None
    reason: str = ""
    way_forward: str = ""


def signatory_grant(user: Any, organisation: Organisation) -> OrganisationRole | None:
    """The person's signatory role in force today (no register asked: for showing links, not for signing)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        OrganisationRole.objects.active()
        .select_related("granted_by")
        .filter(user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY)
        .first()
    )


def authority_decision(user: Any, organisation: Organisation, *, person_id: str | None = None) -> AuthorityDecision:
    """May ``user`` sign for ``organisation`` now, and on what basis?

    * a delegation in force (named by whom, until when) or an NHN staff override (with its reason and
      end date) is its own basis;
    * otherwise the registers decide (core.authority: Enhetsregisteret's roles, read again when old;
      Altinn when configured). A signatory role in the portal alone gives no authority."""
    grant = signatory_grant(user, organisation)
    if grant is None:
        return AuthorityDecision(
            None,
            reason=_("You have no signatory role for %(org)s in the portal.") % {"org": organisation},
            way_forward=registers.way_forward(),
        )
    if grant.signatory_basis in (SignatoryBasis.DELEGATED, SignatoryBasis.STAFF_OVERRIDE):
        return AuthorityDecision(Authority(grant=grant, basis=grant.signatory_basis, text=describe_basis(grant)))
    answer = registers.decide(user=user, organisation=organisation, person_id=person_id)
    if isinstance(answer, registers.RegisterBasis):
        when = timezone.localtime(answer.read_at).strftime("%d.%m.%Y %H:%M")
        text = _("%(role)s (%(code)s), read %(when)s: %(name)s") % {
            "role": answer.text,
            "code": answer.role_code,
            "when": when,
            "name": answer.entry.get("name", user.get_full_name()),
        }
        return AuthorityDecision(
            Authority(
                grant=grant,
                basis=f"{answer.source}:{answer.role_code}"[:32],
                text=text[:300],
                role_code=answer.role_code,
                register_read_at=answer.read_at,
                matched_entry=answer.entry,
            )
        )
    first = answer[0]
    return AuthorityDecision(None, reason=first.reason, way_forward=first.way_forward)


def signing_authority(user: Any, organisation: Organisation, *, person_id: str | None = None) -> Authority | None:
    """The user's authority to sign for the organisation now, or None (authority_decision says why)."""
    return authority_decision(user, organisation, person_id=person_id).authority


def describe_basis(grant: OrganisationRole) -> str:
    if grant.signatory_basis == SignatoryBasis.DELEGATED:
        return _("Delegated by %(person)s until %(date)s") % {
            "person": grant.granted_by.get_full_name() if grant.granted_by else _("unknown"),
            "date": grant.valid_until.strftime("%d.%m.%Y") if grant.valid_until else "",
        }
    if grant.signatory_basis == SignatoryBasis.STAFF_OVERRIDE:
        return _("Override by NHN staff (not from Enhetsregisteret): %(reason)s; until %(date)s") % {
            "reason": grant.override_reason,
            "date": grant.valid_until.strftime("%d.%m.%Y") if grant.valid_until else "",
        }
    return str(SignatoryBasis(grant.signatory_basis).label)


def required_to_sign(version: TermsVersion, organisation: Organisation) -> bool:
    return organisation.form in version.required_forms


def recipients_for(organisation: Organisation) -> list[str]:
    """Who hears about the organisation's membership: its administrators and signatories, or the
    organisation's own e-mail address from the register when it has no one registered."""
    emails = list(
        OrganisationRole.objects.active()
        .filter(organisation=organisation, role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY])
        .values_list("user__email", flat=True)
        .distinct()
    )
    if not emails and organisation.email:
        emails = [organisation.email]
    return emails


# --- signing -------------------------------------------------------------------------------------


def terms_sign(
    *,
    actor: User,
    organisation: Organisation,
    version: TermsVersion,
    password: str = "",
    confirmed: bool,
    shown_version_id: int | None,
    shown_sha256: str,
    shown_label: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    person_id: str | None = None,
    step_up: StepUp | None = None,
) -> Signature:
    """Sign ``version`` for ``organisation``: exactly once, by someone with authority, after step-up,
    and only the text the signatory was shown.

    The step-up is ``step_up`` (accounts.step_up: a fresh ID-porten login at the signing level for a
    session from ID-porten, StepUpNeeded when it is missing or old) or else ``password``.

    Validates: that ``version`` is the one shown (its id and the SHA-256 of its text, as the signing form
    carried them; else TermsChanged), authority (AuthorityRefused, with the reason), the password again
    (step-up), the confirmation, that the version is published and required of this organisation, and
    that the organisation is in good standing in the register. Raises AlreadySigned when a signature
    exists (even one made a moment ago by a concurrent request). Side effects: the sealed PDF, the
    membership becomes active, an audit event, and receipt e-mails to the signer and the organisation's
    administrators.
    """
    if shown_version_id != version.pk or shown_sha256 != version.text_sha256:
        raise TermsChanged(shown_label=shown_label, current=version)
    if not version.is_published or not required_to_sign(version, organisation):
        raise ValidationError(_("This version of the terms is not for this organisation to sign."))
    with translation.override("nb"):  # the authority is written into the agreement, which is always Norwegian
        decision = authority_decision(actor, organisation, person_id=person_id)
    authority = decision.authority
    if authority is None:
        raise AuthorityRefused(decision)
    if authority.delegated and "membership" not in (authority.grant.delegated_agreements if authority.grant else []):
        raise PermissionDenied
    # A password step-up goes through the login's backends and limits (accounts.throttle); an ID-porten
    # one must be a fresh login at the signing level (accounts.step_up).
    step_up = step_up or StepUp.with_password(password)
    verify_step_up(step_up, user=actor, ip_address=ip_address, user_agent=user_agent)
    if not confirmed:
        raise ValidationError(
            {"confirm": _("Confirm that you have read the agreement and sign on behalf of the organisation.")}
        )
    if organisation.register_status != RegisterStatus.ACTIVE:
        raise ValidationError(
            _("The organisation is registered as “%(status)s” in Enhetsregisteret and cannot enter new agreements.")
            % {"status": organisation.get_register_status_display()}
        )
    return record_signature(
        organisation=organisation,
        version=version,
        signer=actor,
        authority=authority,
        ip_address=ip_address,
        user_agent=user_agent[:500],
        step_up=step_up.evidence,
    )


def record_signature(
    *,
    organisation: Organisation,
    version: TermsVersion,
    signer: Any,
    authority: Authority,
    ip_address: str | None = None,
    user_agent: str = "",
    signed_at: dt.datetime | None = None,
    notify: bool = True,
    step_up: dict[str, Any] | None = None,
) -> Signature:
    """Store the signature, the sealed PDF, the membership change and the audit event together.
    ``step_up`` is how the signer proved it was them (accounts.step_up.StepUp.evidence)."""
    signed_at = signed_at or timezone.now()
    try:
        with transaction.atomic():
            membership = membership_for(organisation)
            membership = Membership.objects.select_for_update().get(pk=membership.pk)  # one signer at a time
            existing = Signature.objects.filter(organisation=organisation, terms_version=version).first()
            if existing is not None:
                raise AlreadySigned(existing)
            unsigned = documents.agreement_pdf(
                version=version,
                organisation=organisation,
                signer_name=signer.get_full_name(),
                basis_text=authority.text,
                signed_at=signed_at,
            )
            sealed = documents.seal(unsigned, reason=f"Medlemsavtale {version.label}: {organisation.name}")
            signature = Signature.objects.create(
                organisation=organisation,
                terms_version=version,
                signer=signer,
                signer_name=signer.get_full_name(),
                basis=authority.basis,
                basis_text=authority.text,
                basis_role_code=authority.role_code,
                basis_read_at=authority.register_read_at,
                basis_entry=authority.matched_entry,
                signed_at=signed_at,
                document_sha256=hashlib.sha256(unsigned).hexdigest(),
                signed_pdf=sealed,
                signed_pdf_sha256=hashlib.sha256(sealed).hexdigest(),
                ip_address=ip_address,
                user_agent=user_agent,
                step_up=step_up or {},
            )
            audit_record(
                actor=signer,
                action="agreement.signed",
                obj=signature,
                organisation_id=organisation.pk,
                after={
                    "terms_version": version.label,
                    "terms_sha256": version.text_sha256,
                    "document_sha256": signature.document_sha256,
                    "signed_pdf_sha256": signature.signed_pdf_sha256,
                    "basis": authority.basis,
                    "basis_text": authority.text,
                    **authority.evidence,
                    "step_up": step_up or {},
                    "ip_address": ip_address,
                },
                at=signed_at,
            )
            if membership.state != S.ACTIVE:
                membership_transition(
                    membership=membership,
                    to_state=S.ACTIVE,
                    actor=signer,
                    terms_version=version,
                    at=signed_at,
                    reason=_("Signed the terms %(label)s") % {"label": version.label},
                )
            else:
                membership.signed_version = version
                membership.save(update_fields=["signed_version", "updated_at"])
            # Invitations and reminders to sign this version, still waiting or retrying, are no longer due.
            mail_cancel_pending(key_contains=f":{version.pk}:{organisation.pk}:")
            if notify:
                _queue_receipt(signature)
            return signature
    except IntegrityError:
        # A concurrent request signed between our check and our insert; its signature stands.
        existing = Signature.objects.filter(organisation=organisation, terms_version=version).first()
        if existing is None:
            raise
        raise AlreadySigned(existing) from None


def _queue_receipt(signature: Signature) -> None:
    recipients = {signature.signer.email, *recipients_for(signature.organisation)}
    mail_queue(
        template="memberships/email/receipt",
        recipients=recipients,
        context={"signature": signature, "base_url": settings.PORTAL_BASE_URL},
        key=f"receipt:{signature.pk}",
        attachment=(signature.filename, bytes(signature.signed_pdf)),
    )


# --- delegation ----------------------------------------------------------------------------------


MAX_DELEGATION = dt.timedelta(days=366)


def _one_year_after(day: dt.date) -> dt.date:
    """The same date a year later (28 February for 29 February): "at most a year ahead" ends there."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class OutsiderNeedsConfirmation(ValidationError):
    """The person holds no role in the organisation: the delegating signatory must say they mean it."""


DELEGABLE_AGREEMENTS = ("membership", "services")


def holds_role(user: Any, organisation: Organisation) -> bool:
    """Does the person hold any role in the organisation: in the portal (not a delegation) or in a register?"""
    in_portal = (
        OrganisationRole.objects.active()
        .filter(user=user, organisation=organisation)
        .exclude(signatory_basis=SignatoryBasis.DELEGATED)
        .exists()
    )
    return in_portal or registers.holds_any_role(user=user, organisation=organisation)


@transaction.atomic
def signing_delegate(
    *,
    actor: User,
    organisation: Organisation,
    user: Any,
    until: dt.date,
    agreements: list[str] | None = None,
    confirm_outsider: bool = False,
) -> OrganisationRole:
    """A signatory with authority of their own (not delegated) delegates signing of the named agreements
    (``membership``, ``services``) to a registered person until a date, at most a year ahead.

    The delegate may sign those and nothing else (core.permissions). Delegating to a person who holds no
    role in the organisation raises OutsiderNeedsConfirmation unless ``confirm_outsider``. Side effects:
    the grant, an audit event, and an e-mail to the organisation's administrators."""
    agreements = [a for a in DELEGABLE_AGREEMENTS if a in (agreements or ["membership"])]
    if not agreements:
        raise ValidationError({"agreements": _("Choose what the person may sign.")})
    authority = signing_authority(actor, organisation)
    if authority is None or authority.delegated:
        raise PermissionDenied
    today = timezone.localdate()
    if until < today or until > _one_year_after(today):
        raise ValidationError({"until": _("Choose a date from today and at most a year ahead.")})
    if user.pk == actor.pk:
        raise ValidationError({"email": _("You cannot delegate to yourself.")})
    if not user.is_active:
        raise ValidationError({"email": _("This person's account is deactivated.")})
    grant = OrganisationRole.objects.filter(
        user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY
    ).first()
    if grant is not None and grant.is_current and grant.signatory_basis != SignatoryBasis.DELEGATED:
        raise ValidationError({"email": _("%(person)s can already sign in their own right.") % {"person": user}})
    outsider = not holds_role(user, organisation)
    if outsider and not confirm_outsider:
        raise OutsiderNeedsConfirmation(
            {
                "confirm_outsider": _(
                    "%(person)s holds no role in %(org)s, neither in the portal nor in Enhetsregisteret. Confirm "
                    "that this person, from outside the organisation, is to sign on its behalf."
                )
                % {"person": user, "org": organisation}
            },
            code="outsider",
        )
    before = (
        {"valid_until": grant.valid_until, "granted_by": grant.granted_by_id, "agreements": grant.delegated_agreements}
        if grant
        else None
    )
    grant = grant or OrganisationRole(user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY)
    grant.signatory_basis = SignatoryBasis.DELEGATED
    grant.valid_until = until
    grant.granted_by = actor
    grant.delegated_agreements = agreements
    grant.full_clean(validate_unique=False, validate_constraints=False)
    grant.save()
    audit_record(
        actor=actor,
        action="delegation.granted",
        obj=grant,
        organisation_id=organisation.pk,
        before=before,
        after={
            "user": user.email,
            "valid_until": until,
            "granted_by": actor.pk,
            "agreements": agreements,
            "outsider": outsider,
        },
    )
    admins = OrganisationRole.objects.active().filter(organisation=organisation, role=OrganisationRoleType.ADMIN)
    mail_queue(
        template="memberships/email/delegation",
        recipients=admins.values_list("user__email", flat=True),
        context={
            "grant": grant,
            "organisation": organisation,
            "actor": actor,
            "outsider": outsider,
            "agreements": agreements,
            "base_url": settings.PORTAL_BASE_URL,
        },
        key=f"delegation:{grant.pk}:{until.isoformat()}:{grant.updated_at.timestamp():.0f}",
    )
    return grant


@transaction.atomic
def signing_delegation_revoke(*, actor: User, grant: OrganisationRole, reason: str = "") -> None:
    """End a delegation at once. The delegating signatory, another signatory in their own right, or NHN
    staff who manage roles may do it."""
    if grant.signatory_basis != SignatoryBasis.DELEGATED:
        raise ValidationError(_("Only a delegated authority can be revoked here."))
    own_grant = signatory_grant(actor, grant.organisation)
    own_right = own_grant is not None and own_grant.signatory_basis != SignatoryBasis.DELEGATED
    if not own_right and not can(actor, Action.ORGANISATION_GRANT_SIGNATORY, grant.organisation):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="delegation.revoked",
        obj=grant,
        organisation_id=grant.organisation_id,
        before={"user": grant.user.email, "valid_until": grant.valid_until, "granted_by": grant.granted_by_id},
        reason=reason,
    )
    grant.delete()


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

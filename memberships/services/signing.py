"""Signing the membership terms: the step-up, the authority, exactly what was shown, the seal and the receipt."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.step_up import StepUp
from accounts.step_up import verify as verify_step_up
from core.audit import audit_record
from core.mail import mail_cancel_pending, mail_queue
from memberships import documents
from memberships.models import Membership, Signature, TermsVersion
from memberships.services.authority import Authority, authority_decision, recipients_for, required_to_sign
from memberships.services.common import AlreadySigned, AuthorityRefused, S, TermsChanged
from memberships.services.state import membership_for, membership_transition
from organisations.choices import RegisterStatus
from organisations.models import Organisation

if TYPE_CHECKING:
    from accounts.models import User


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

"""Invite a person by e-mail to a role; withdraw; accept by logging in with ID-porten. All audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.mail import one_line, render_text
from core.permissions import Action, can
from core.roles import OrganisationRoleType
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from organisations.models import Organisation, OrganisationRole
from organisations.services import role_grant

VALID_FOR = dt.timedelta(days=14)
# Signatories need no invitation: their authority comes from the register (and is NHN's to record).
INVITABLE_ROLES = [c for c in OrganisationRoleType.choices if c[0] != OrganisationRoleType.SIGNATORY]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit_view(invitation: Invitation) -> dict[str, Any]:
    return {"email": invitation.email, "role": invitation.role, "status": invitation.status}


@transaction.atomic
def invitation_create(*, actor: Any, organisation: Organisation, email: str, role: str) -> tuple[Invitation, str]:
    """Invite ``email`` to ``role`` for ``organisation`` and e-mail the link; returns it and its token.

    Only the token's hash is stored: the link exists in the e-mail alone.
    """
    if not can(actor, Action.ORGANISATION_MANAGE_ROLES, organisation):
        raise PermissionDenied
    if role not in dict(INVITABLE_ROLES):
        raise ValidationError(_("This role cannot be given by invitation."))
    email = email.strip().lower()
    now = timezone.now()
    if Invitation.objects.filter(
        organisation=organisation, email=email, role=role, status=InvitationStatus.PENDING, expires_at__gt=now
    ).exists():
        raise ValidationError(_("This person already has a pending invitation to this role."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        organisation_id=organisation.pk,
        after=_audit_view(invitation),
    )
    context = {
        "invitation": invitation,
        "url": f"{settings.PORTAL_BASE_URL}{reverse('invitations:accept', args=[token])}",
        "inviter": actor,
    }
    subject = one_line(render_text("invitations/email/invitation_subject.txt", context))
    body = render_text("invitations/email/invitation_body.txt", context)
    # Sent when the invitation is stored, and not kept in the outbox: the link is the only copy.
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation, token


@transaction.atomic
def invitation_withdraw(*, actor: Any, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not can(actor, Action.ORGANISATION_MANAGE_ROLES, invitation.organisation):
        raise PermissionDenied
    if invitation.current_status != InvitationStatus.PENDING:
        raise ValidationError(_("Only a pending invitation can be withdrawn."))
    before = _audit_view(invitation)
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.decided_at = timezone.now()
    invitation.decided_by = actor
    invitation.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="invitation.withdraw",
        obj=invitation,
        organisation_id=invitation.organisation_id,
        before=before,
        after=_audit_view(invitation),
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The pending, unexpired invitation behind ``token``, or None."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(token_hash=token_hash(token)).first()
    )
    if invitation is None or invitation.current_status != InvitationStatus.PENDING:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: Any) -> OrganisationRole:
    """Give ``user`` the invitation's role (through the role service, on the inviter's authority).

    Single use: the invitation is locked, must be pending and unexpired, and is then accepted.
    Raises ValidationError, and then changes nothing.
    """
    invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None or invitation.current_status != InvitationStatus.PENDING:
        raise ValidationError(_("This invitation is no longer valid. Ask for a new one."))
    try:
        grant = role_grant(
            actor=invitation.invited_by, organisation=invitation.organisation, user=user, role=invitation.role
        )
    except PermissionDenied:
        raise ValidationError(
            _("The person who invited you may no longer give this role. Ask for a new invitation.")
        ) from None
    before = _audit_view(invitation)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.decided_at = timezone.now()
    invitation.decided_by = user
    invitation.save(update_fields=["status", "decided_at", "decided_by"])
    taken = get_user_model().objects.filter(email=invitation.email).exclude(pk=user.pk).exists()
    if user.email.endswith("@no-email.invalid") and not taken:
        user.email = invitation.email  # the address the invitation reached
        user.save(update_fields=["email"])
    audit_record(
        actor=user,
        action="invitation.accept",
        obj=invitation,
        organisation_id=invitation.organisation_id,
        before=before,
        after={**_audit_view(invitation), "user_id": user.pk, "role_id": grant.pk},
    )
    return grant

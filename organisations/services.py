"""Write-side rules of the member registry. Views, forms, admin and commands all call these."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.permissions import Action, can
from core.roles import OrganisationRoleType, SignatoryBasis
from organisations.models import Organisation, OrganisationRole

if TYPE_CHECKING:
    from accounts.models import User


def role_grant(
    *,
    actor: User,
    organisation: Organisation,
    user: Any,
    role: str,
    signatory_basis: str = "",
    valid_until: dt.date | None = None,
    override_reason: str = "",
) -> OrganisationRole:
    """Give ``user`` a role for ``organisation``.

    Validates: the actor may manage the organisation's roles; only NHN staff record signatory
    authority (it has legal weight); a delegation has an end date; the role is not already held.
    Raises PermissionDenied or ValidationError, and then stores nothing.
    """
    if not can(actor, Action.ORGANISATION_MANAGE_ROLES, organisation):
        raise PermissionDenied
    if role == OrganisationRoleType.SIGNATORY and not can(actor, Action.ORGANISATION_GRANT_SIGNATORY, organisation):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError(_("This person's account is deactivated."))
    # An expired grant of the same role is renewed in place: it no longer shows, so nobody could remove it.
    grant = OrganisationRole.objects.filter(user=user, organisation=organisation, role=role).first()
    if grant is not None and grant.is_current:
        raise ValidationError(_("%(person)s already has this role.") % {"person": user})
    grant = grant or OrganisationRole(user=user, organisation=organisation, role=role)
    grant.signatory_basis = signatory_basis if role == OrganisationRoleType.SIGNATORY else ""
    grant.valid_until = valid_until
    grant.override_reason = override_reason.strip() if grant.signatory_basis == SignatoryBasis.STAFF_OVERRIDE else ""
    grant.granted_by = actor
    grant.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            grant.save()
            audit_record(
                actor=actor,
                action="role.granted",
                obj=grant,
                organisation_id=organisation.pk,
                after={"user": user.pk, "role": role, "valid_until": valid_until},
            )
            if grant.signatory_basis == SignatoryBasis.STAFF_OVERRIDE:
                # Authority the register does not show has legal weight: who, why, until when.
                audit_record(
                    actor=actor,
                    action="signatory.override_granted",
                    obj=grant,
                    organisation_id=organisation.pk,
                    after={"user": user.email, "valid_until": valid_until, "granted_by": actor.pk},
                    reason=grant.override_reason,
                )
    except IntegrityError:  # a concurrent grant of the same role won the race
        raise ValidationError(_("%(person)s already has this role.") % {"person": user}) from None
    return grant


def role_revoke(*, actor: User, grant: OrganisationRole) -> None:
    """Remove a role. Signatory authority, like granting it, is for NHN staff to remove."""
    if not can(actor, Action.ORGANISATION_MANAGE_ROLES, grant.organisation):
        raise PermissionDenied
    if grant.role == OrganisationRoleType.SIGNATORY and not can(
        actor, Action.ORGANISATION_GRANT_SIGNATORY, grant.organisation
    ):
        raise PermissionDenied
    if grant.role == OrganisationRoleType.ADMIN and grant.user_id == actor.pk:
        others = grant.organisation.roles.active().filter(role=OrganisationRoleType.ADMIN).exclude(pk=grant.pk)
        if not others.exists():
            raise ValidationError(_("You are the organisation's last administrator and cannot remove yourself."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="role.revoked",
            obj=grant,
            organisation_id=grant.organisation_id,
            before={"user": grant.user_id, "role": grant.role, "valid_until": grant.valid_until},
        )
        grant.delete()

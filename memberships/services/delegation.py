"""Delegating the right to sign, and revoking a delegation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import authority as registers
from core.audit import audit_record
from core.mail import mail_queue
from core.permissions import Action, can
from core.roles import OrganisationRoleType, SignatoryBasis
from memberships.services.authority import signatory_grant, signing_authority
from organisations.models import Organisation, OrganisationRole

if TYPE_CHECKING:
    from accounts.models import User


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

"""The membership section of the organisation page: status, next action, agreements and history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.permissions import Action, can
from core.roles import OrganisationRoleType, SignatoryBasis
from memberships.models import Membership, Signature, TermsVersion
from memberships.services import signatory_grant
from organisations.models import OrganisationRole


def membership_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]]:
    user = request.user
    membership = Membership.objects.filter(organisation=organisation).first()
    version = TermsVersion.objects.current_for(organisation.form)
    signatures = list(Signature.objects.filter(organisation=organisation).select_related("terms_version"))
    signed_current = version is not None and any(s.terms_version_id == version.pk for s in signatures)
    # No register is asked here (the sign page does): the link shows for whoever holds a signatory role.
    grant = signatory_grant(user, organisation)
    delegations = list(
        OrganisationRole.objects.active()
        .filter(
            organisation=organisation, role=OrganisationRoleType.SIGNATORY, signatory_basis=SignatoryBasis.DELEGATED
        )
        .select_related("user", "granted_by")
    )
    own_right = grant is not None and grant.signatory_basis != SignatoryBasis.DELEGATED
    return "memberships/partials/_org_membership.html", {
        "membership": membership,
        "version": version,
        "signed_current": signed_current,
        "signatures": signatures,
        "history": list(membership.transitions.select_related("terms_version")[:10]) if membership else [],
        "may_sign": grant is not None and version is not None and not signed_current,
        "may_download": can(user, Action.AGREEMENT_DOWNLOAD, organisation),
        "may_certify": can(user, Action.AGREEMENT_AUDIT_CERTIFICATE, organisation),
        "may_terminate": membership is not None
        and membership.state not in {"terminated", "not_member"}
        and can(user, Action.MEMBERSHIP_MANAGE, organisation),
        "may_delegate": own_right,
        "may_revoke": own_right or can(user, Action.ORGANISATION_GRANT_SIGNATORY, organisation),
        "delegations": delegations,
    }

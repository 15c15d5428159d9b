"""Invitations (issue 15) and the OpenID Connect login routes in the authorization matrix.

Who manages an organisation's roles (ORGANISATION_MANAGE_ROLES) manages its invitations. The
invitation link itself is public: an unknown token is 404 for everyone. In the matrix no identity
provider is configured, so the OIDC routes answer 404 (a provider without an issuer is not offered).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World
from core.roles import OrganisationRoleType
from tests.matrix_common import REDIRECT, ROLE_MANAGERS_STAFF, TARGETS, Route, org_action, org_id, signed_in

MANAGERS = {("admin_a", "A"), ("admin_b", "B")}


def _manages(role: str, target: str) -> bool:
    return role in ROLE_MANAGERS_STAFF or (role, target) in MANAGERS


def _withdraw_url(world: World, target: str) -> str:
    from invitations.models import Invitation

    org = {"A": world.org_a, "B": world.org_b}.get(target)
    pk = 999_999
    if org is not None:
        pk = Invitation.objects.create(
            organisation=org,
            email=f"invited-{target}-{timezone.now().timestamp()}@example.no",
            role=OrganisationRoleType.SECURITY_CONTACT,
            token_hash=f"{target}{timezone.now().timestamp()}".ljust(64, "0")[:64],
            invited_by=world["superuser"],
            expires_at=timezone.now() + dt.timedelta(days=1),
        ).pk
    return reverse("invitations:invitation_withdraw", args=[org_id(world, target), pk])


def _redirect_if_allowed(role: str, target: str) -> Any:
    outcome = org_action(_manages)(role, target)
    return REDIRECT if outcome == 200 else outcome


ROUTES: dict[str, Route] = {
    "invitations:organisation_invitations": Route(
        lambda w, t: reverse("invitations:organisation_invitations", args=[org_id(w, t)]),
        org_action(_manages),
        targets=TARGETS,
    ),
    "invitations:invitation_withdraw": Route(_withdraw_url, _redirect_if_allowed, method="post", targets=TARGETS),
    "invitations:accept": Route(lambda w, t: reverse("invitations:accept", args=["unknown-token"]), lambda r, t: 404),
    "invitations:accept_complete": Route(
        lambda w, t: reverse("invitations:accept_complete"), signed_in(lambda r, t: REDIRECT)
    ),
    "accounts:oidc_start": Route(lambda w, t: reverse("accounts:oidc_start", args=["idporten"]), lambda r, t: 404),
    "accounts:oidc_callback": Route(
        lambda w, t: reverse("accounts:oidc_callback", args=["idporten"]), lambda r, t: 404
    ),
}

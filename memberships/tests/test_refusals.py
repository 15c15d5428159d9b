"""Someone who sees the organisation but may not sign is told why and what to do, in the portal's layout:
the reason and the way forward (a delegation, or the customer centre), or, for a delegation that has ended,
when it ended and who gave it. Someone from elsewhere still gets 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import OrganisationRoleType, SignatoryBasis
from memberships.models import Signature
from organisations.models import OrganisationRole

pytestmark = pytest.mark.django_db


def pages(org: Any) -> list[str]:
    return [reverse("memberships:sign", args=[org.pk]), reverse("agreements:guided_flow", args=[org.pk])]


def test_a_member_without_the_right_to_sign_is_told_why_and_what_to_do(world: Any, terms: Any, login: Any) -> None:
    client = login(world["member_a"])
    for address in pages(world.org_a):
        response = client.get(address)
        assert response.status_code == 403
        assert "memberships/authority_refused.html" in [t.name for t in response.templates]
        html = response.content.decode()
        assert "Du kan ikke signere for" in html
        assert "delegere signering til deg" in html and "kundesenter@nhn.no" in html
        assert 'class="site-header"' in html  # the layout
    assert not Signature.objects.exists()


def test_a_member_whose_delegation_ended_is_told_when_and_by_whom(world: Any, terms: Any, login: Any) -> None:
    ended = timezone.localdate() - dt.timedelta(days=3)
    OrganisationRole.objects.create(
        user=world["member_a"],
        organisation=world.org_a,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.DELEGATED,
        valid_until=ended,
        granted_by=world["admin_a"],
        delegated_agreements=["membership", "services"],
    )
    client = login(world["member_a"])
    for address in pages(world.org_a):
        response = client.get(address)
        assert response.status_code == 403
        assert "memberships/delegation_expired.html" in [t.name for t in response.templates]
        assert "Anne Admin delegerte signering for Ringsaker" in response.content.decode()


def test_someone_from_elsewhere_still_gets_404(world: Any, terms: Any, login: Any) -> None:
    client = login(world["admin_b"])
    for address in pages(world.org_a):
        assert client.get(address).status_code == 404

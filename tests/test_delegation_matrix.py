"""Delegation grants signing and nothing else, checked over the authorization matrix's routes.

A signatory of A delegates signing (the membership terms and the services) to a person from outside the
organisation. That delegate reaches exactly A's signing pages; every other page of A — incidents,
advisories, support requests, connections, orders, agreements, the organisation itself — answers 404, as
does every page of B.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import World
from memberships import services
from organisations.tests.factories import UserFactory
from tests import test_authorization_matrix as matrix
from tests.test_authorization_matrix import ROUTES, _outcome

# The matrix's own fixtures: its world with an object of every kind, and PDFs skipped (autouse).
full_world = matrix.full_world
fast_documents = matrix.fast_documents

SIGNING_PAGES = {"memberships:sign": 200, "agreements:guided_flow": 200, "agreements:flow_restart": "redirect"}
ORGANISATION_ROUTES = sorted(name for name, route in ROUTES.items() if "A" in route.targets)


@pytest.fixture
def outsider_delegate(full_world: World) -> Any:
    """The administrator of another organisation, delegated signing for A: the case the issue found."""
    user = UserFactory(email="utenfor@example.no", full_name="Ulla Utenfor")
    services.signing_delegate(
        actor=full_world["admin_a"],
        organisation=full_world.org_a,
        user=user,
        until=dt.date.today() + dt.timedelta(days=30),
        agreements=["membership", "services"],
        confirm_outsider=True,
    )
    return user


def test_the_matrix_has_the_organisation_pages_to_check() -> None:
    outsiders = [ROUTES[name].expect("admin_b", "A") for name in ORGANISATION_ROUTES if name not in SIGNING_PAGES]
    assert outsiders.count(404) > 30  # most of them are A's own pages, which an outsider must not find
    assert len(ORGANISATION_ROUTES) > 30
    assert set(SIGNING_PAGES) <= set(ORGANISATION_ROUTES)
    for name in ("incidents:", "advisories:", "support:", "connections:", "orders:"):
        assert any(route.startswith(name) for route in ORGANISATION_ROUTES), name


def test_a_delegate_from_outside_may_sign_and_sees_nothing_else_of_the_organisation(
    full_world: World, outsider_delegate: Any, client: Any
) -> None:
    client.force_login(outsider_delegate, backend="accounts.backends.PortalBackend")
    mismatches = []
    for name in ORGANISATION_ROUTES:
        route = ROUTES[name]
        # Except for signing, the delegate gets what an outsider gets: A's outsider is B's administrator
        # (404 on A's pages, 403 on staff pages), and B's is A's technical contact.
        for target, outsider in (("A", "admin_b"), ("B", "member_a")):
            expected = route.expect(outsider, target)
            if target == "A" and name in SIGNING_PAGES:
                expected = SIGNING_PAGES[name]
            got = _outcome(getattr(client, route.method)(route.url(full_world, target)))
            if got != expected:
                mismatches.append(f"{name} on {target}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_a_delegation_tells_the_organisation_s_administrators(
    full_world: World, outsider_delegate: Any, mailoutbox: Any
) -> None:
    from core.models import OutboundEmail

    mail = OutboundEmail.objects.get(to="admin.a@example.no", key__startswith="delegation:")
    assert "Ulla Utenfor" in mail.subject
    assert "Denne personen har ingen rolle i organisasjonen" in mail.body_text


def test_the_delegate_s_front_page_links_to_the_signing_only(
    full_world: World, outsider_delegate: Any, client: Any
) -> None:
    from django.urls import reverse

    client.force_login(outsider_delegate, backend="accounts.backends.PortalBackend")
    content = client.get(reverse("dashboards:home")).content.decode()

    assert reverse("memberships:sign", args=[full_world.org_a.pk]) not in content  # A has signed (full_world)
    assert full_world.org_a.get_absolute_url() not in content
    assert "Ringsaker" in content

"""API fixtures: the matrix world with the catalogue, agreements, orders, a membership, advisories, and
one token of each kind (read-only and read-write for org A, read-write for org B, national)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import World


@pytest.fixture(autouse=True)
def _in_english(english: Any) -> None:
    """Every test here reads the English texts; a test of the Norwegian text asks for it."""


@dataclass
class ApiWorld:
    world: World
    tokens: dict[str, str]  # kind -> the secret
    objects: dict[str, dict[str, Any]]  # "A"/"B" -> {"org", "order", "agreement", "advisory"}

    def auth(self, kind: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[kind]}"} if kind in self.tokens else {}


def seed_api_world(world: World) -> ApiWorld:
    from advisories.tests.conftest import make_advisory
    from integrations.services import api_token_create
    from memberships.choices import MembershipState
    from memberships.models import Membership
    from memberships.services import membership_transition
    from tests.matrix_routes.agreements import seed_world

    seed_world(world)
    membership = Membership.objects.create(organisation=world.org_a)
    membership_transition(membership=membership, to_state=MembershipState.INVITED)
    objects: dict[str, dict[str, Any]] = {}
    for target, org in (("A", world.org_a), ("B", world.org_b)):
        advisory = make_advisory(tlp="AMBER+STRICT", organisations=[org], title=f"Only for {target}")
        objects[target] = {**world.extra["services"][target], "org": org, "advisory": advisory}
    make_advisory(tlp="RED", people=[world["admin_a"]], title="Named people only")
    make_advisory(tlp="CLEAR", audience_all=True, title="For everyone")
    tokens = {
        "read_only": api_token_create(actor=world["admin_a"], organisation=world.org_a, description="EPJ (reads)")[1],
        "read_write": api_token_create(
            actor=world["admin_a"], organisation=world.org_a, description="EPJ (writes)", write_enabled=True
        )[1],
        "other_org": api_token_create(
            actor=world["admin_b"], organisation=world.org_b, description="B's system", write_enabled=True
        )[1],
        "national": api_token_create(actor=world["system_admin"], organisation=None, description="HelseID")[1],
    }
    return ApiWorld(world, tokens, objects)


@pytest.fixture
def api_world(world: World) -> ApiWorld:
    return seed_api_world(world)

"""`Organisation.objects.held_by(user)`: the organisations a person holds a role in today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser

from core.roles import OrganisationRoleType, SignatoryBasis
from organisations.models import Organisation
from organisations.tests.factories import RoleFactory


def held(user: Any) -> set[str]:
    return set(Organisation.objects.held_by(user).values_list("name", flat=True))


def test_it_gives_the_organisations_a_person_holds_a_role_in_once_each(world: Any) -> None:
    assert held(world["admin_a"]) == {world.org_a.name}  # two roles there, one organisation
    assert held(world["admin_b"]) == {world.org_b.name}


def test_it_gives_staff_and_coordinators_only_their_own_not_what_they_may_see(world: Any) -> None:
    assert held(world["system_admin"]) == set()
    assert held(world["coordinator_a"]) == set()
    assert Organisation.objects.visible_to(world["coordinator_a"]).exists()


def test_it_leaves_out_a_deactivated_person_an_expired_delegation_and_the_anonymous(world: Any) -> None:
    assert held(world["deactivated_a"]) == set()
    RoleFactory(
        user=world["admin_b"],
        organisation=world.enterprise_b,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.DELEGATED,
        valid_until=dt.date.today() - dt.timedelta(days=1),
    )
    assert held(world["admin_b"]) == {world.org_b.name}
    assert held(AnonymousUser()) == set()

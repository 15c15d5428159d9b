"""Find any organisation from the header: hard spellings, one step for a number, states, bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.choices import OrganisationForm
from organisations.tests.factories import OrganisationFactory

FIND = reverse("dashboards:find")
SUGGEST = reverse("dashboards:find_suggestions")


@pytest.fixture
def agent(world: Any, login: Any) -> Any:
    """A customer-centre agent, answering the phone."""
    return login(world["customer_centre"])


def test_a_complete_organisation_number_typed_with_dots_opens_the_organisation(world: Any, agent: Any) -> None:
    number = world.enterprise_b.org_number
    response = agent.get(FIND, {"q": f"{number[:3]}.{number[3:6]}.{number[6:]}"})
    assert response.status_code == 302
    assert response["Location"] == world.enterprise_b.get_absolute_url()


def test_a_number_the_searcher_may_not_see_opens_nothing(world: Any, login: Any) -> None:
    coordinator = login(world["coordinator_a"])
    response = coordinator.get(FIND, {"q": world.enterprise_b.org_number})
    assert response.status_code == 200
    assert response.context["hits"] == []


def test_each_hit_shows_its_membership_state(world: Any, agent: Any) -> None:
    member = OrganisationFactory(name="Bodø kommune", form=OrganisationForm.KOMM)
    Membership.objects.create(organisation=member, state=MembershipState.ACTIVE)
    OrganisationFactory(name="Bodø Legesenter AS")

    response = agent.get(FIND, {"q": "Bodo"})

    states = {hit.organisation.name: hit.state_label for hit in response.context["hits"]}
    assert states == {"Bodø kommune": "Medlem", "Bodø Legesenter AS": "Ikke medlem"}  # Norwegian by default
    assert "Ikke medlem" in response.content.decode()


@pytest.mark.parametrize("query", ["tromso", "Tromsoo", "TROMSØ"])
def test_the_type_ahead_suggests_names_typed_the_hard_ways(world: Any, agent: Any, query: str) -> None:
    OrganisationFactory(name="Tromsø kommune", form=OrganisationForm.KOMM)
    OrganisationFactory(name="Molde kommune", form=OrganisationForm.KOMM)

    response = agent.get(SUGGEST, {"q": query}, headers={"HX-Request": "true"})

    assert [hit.organisation.name for hit in response.context["hits"]] == ["Tromsø kommune"]
    assert "Tromsø kommune" in response.content.decode()


def test_the_type_ahead_waits_for_two_letters(world: Any, agent: Any) -> None:
    assert agent.get(SUGGEST, {"q": "t"}).context["hits"] == []


@pytest.mark.parametrize("url", [FIND, SUGGEST])
def test_the_query_count_does_not_grow_with_the_hits(world: Any, agent: Any, url: str) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert agent.get(url, {"q": "fjord"}).status_code == 200
        return len(queries)

    OrganisationFactory(name="Fjordlegen AS")
    few = count()
    for i in range(12):
        org = OrganisationFactory(name=f"Fjord Helse {i} AS")
        Membership.objects.create(organisation=org, state=MembershipState.INVITED)
    assert count() == few <= 8


def test_a_member_cannot_search(world: Any, login: Any) -> None:
    assert login(world["admin_a"]).get(FIND, {"q": "bergen"}).status_code == 403

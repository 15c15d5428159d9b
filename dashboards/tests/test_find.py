"""Find any organisation from the header: hard spellings, one step for a number, states, bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import page_query_count
from dashboards import freshness
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
        return page_query_count(queries.captured_queries)

    OrganisationFactory(name="Fjordlegen AS")
    few = count()
    for i in range(12):
        org = OrganisationFactory(name=f"Fjord Helse {i} AS")
        Membership.objects.create(organisation=org, state=MembershipState.INVITED)
    assert count() == few <= 8


def test_a_member_cannot_search(world: Any, login: Any) -> None:
    assert login(world["admin_a"]).get(FIND, {"q": "bergen"}).status_code == 403


# The hard cases from the customer centre's phone (issue 21), on SQLite and on PostgreSQL alike: run this
# file with DATABASE_URL=postgres://… too (PostgreSQL answers with pg_trgm, SQLite with lib.search).
HARD_NAMES = ["Bærum kommune", "Tromsø kommune", "Lillehammer kommune", "Ålesund kommune", "Molde kommune"]


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("Baerum", "Bærum kommune"),  # æ spelt out
        ("Bærum", "Bærum kommune"),  # as written
        ("BÆRUM", "Bærum kommune"),
        ("Baerumm", "Bærum kommune"),  # a letter doubled
        ("Tromso", "Tromsø kommune"),  # ø as o
        ("Tromsoe", "Tromsø kommune"),  # ø spelt out
        ("aalesund", "Ålesund kommune"),  # å written the old way
        ("Lillehamer", "Lillehammer kommune"),  # a letter missing
        ("Lillehammar", "Lillehammer kommune"),  # a wrong letter near the end
        ("Tromsoo", "Tromsø kommune"),
        ("kommune bærum", "Bærum kommune"),  # words in another order
    ],
)
def test_the_header_search_finds_names_typed_the_hard_ways(world: Any, agent: Any, query: str, wanted: str) -> None:
    for name in HARD_NAMES:
        OrganisationFactory(name=name, form=OrganisationForm.KOMM)

    response = agent.get(FIND, {"q": query})

    names = [hit.organisation.name for hit in response.context["hits"]]
    assert names[0] == wanted
    assert "Molde kommune" not in names


@pytest.mark.parametrize("query", ["Baerum", "baerumm", "Bærum"])
def test_the_type_ahead_suggests_baerum_however_it_is_typed(world: Any, agent: Any, query: str) -> None:
    for name in HARD_NAMES:
        OrganisationFactory(name=name, form=OrganisationForm.KOMM)

    response = agent.get(SUGGEST, {"q": query}, headers={"HX-Request": "true"})

    assert [hit.organisation.name for hit in response.context["hits"]] == ["Bærum kommune"]


@pytest.mark.parametrize("typed", ["974 760 673", "974.760.673", "974760673", " 974 760673 ", "974-760-673"])
def test_a_complete_number_typed_with_spaces_or_dots_opens_the_organisation_in_one_step(
    world: Any, agent: Any, typed: str
) -> None:
    wanted = OrganisationFactory(org_number="974760673", name="Hard Nummer AS")

    response = agent.get(FIND, {"q": typed})

    assert response.status_code == 302
    assert response["Location"] == wanted.get_absolute_url()


@pytest.mark.parametrize("typed", ["974 760", "974.760", "974760"])
def test_the_first_digits_with_spaces_or_dots_list_the_numbers_that_start_so(
    world: Any, agent: Any, typed: str
) -> None:
    OrganisationFactory(org_number="974760673", name="Hard Nummer AS")
    OrganisationFactory(name="Annen Lege AS")  # 8xxxxxxxx

    response = agent.get(FIND, {"q": typed})

    assert [hit.organisation.name for hit in response.context["hits"]] == ["Hard Nummer AS"]
    suggestions = agent.get(SUGGEST, {"q": typed}, headers={"HX-Request": "true"})
    assert [hit.organisation.name for hit in suggestions.context["hits"]] == ["Hard Nummer AS"]


@pytest.mark.parametrize("url", [FIND, SUGGEST])
def test_the_hits_and_their_states_are_one_query(world: Any, agent: Any, url: str) -> None:
    for i in range(5):
        org = OrganisationFactory(name=f"Fjord Helse {i} AS")
        Membership.objects.create(organisation=org, state=MembershipState.ACTIVE)
    agent.get(url, {"q": "fjord"})  # the layout's cached parts are made on the first request
    freshness.bump()  # and the hits, cached per generation: forgotten, to be read again

    with CaptureQueriesContext(connection) as queries:
        response = agent.get(url, {"q": "fjord"})

    assert len(response.context["hits"]) == 5
    assert {hit.state_label for hit in response.context["hits"]} == {"Medlem"}
    searches = [q["sql"] for q in queries if "memberships_membership" in q["sql"] or "search_key" in q["sql"]]
    assert len(searches) == 1, searches

    with CaptureQueriesContext(connection) as queries:  # until something changes, none
        again = agent.get(url, {"q": "fjord"})
    if url == SUGGEST:  # the type-ahead's list is kept rendered: nothing is rendered again
        assert again.content == response.content and again.context is None
    else:
        assert [h.organisation.pk for h in again.context["hits"]] == [
            h.organisation.pk for h in response.context["hits"]
        ]
    assert not [q["sql"] for q in queries if "memberships_membership" in q["sql"] or "search_key" in q["sql"]]


@pytest.mark.parametrize("url", [FIND, SUGGEST])
def test_a_change_of_membership_or_name_shows_in_the_next_search(world: Any, agent: Any, url: str) -> None:
    org = OrganisationFactory(name="Fjord Helse AS")
    membership = Membership.objects.create(organisation=org, state=MembershipState.INVITED)
    assert [h.state_label for h in agent.get(url, {"q": "fjord"}).context["hits"]] == ["Invitert til å signere"]
    membership.state = MembershipState.ACTIVE
    membership.save()
    assert [h.state_label for h in agent.get(url, {"q": "fjord"}).context["hits"]] == ["Medlem"]
    org.name = "Fjell Helse AS"
    org.save()
    assert agent.get(url, {"q": "fjord"}).context["hits"] == []
    assert [h.organisation.name for h in agent.get(url, {"q": "fjell"}).context["hits"]] == ["Fjell Helse AS"]


def test_a_coordinator_never_gets_the_hits_cached_for_staff(world: Any, agent: Any, login: Any) -> None:
    """The hits are cached per scope: a staff member's search does not answer a coordinator's."""
    hidden = OrganisationFactory(name="Fjord Helse AS")
    assert [h.organisation for h in agent.get(FIND, {"q": "fjord"}).context["hits"]] == [hidden]
    coordinator = login(world["coordinator_a"])
    assert hidden not in [h.organisation for h in coordinator.get(FIND, {"q": "fjord"}).context["hits"]]

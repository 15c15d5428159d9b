"""The front page: the user's organisations with their next steps, coordinators' networks, and the
text for a user with no role yet. Asserted in Norwegian, the default language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import page_query_count
from core.roles import OrganisationRoleType, SignatoryBasis
from organisations.models import OrganisationRole
from organisations.tests.factories import OrganisationFactory, RoleFactory, UserFactory

HOME = reverse("dashboards:home")
SECURITY_STEP = "Legg til en sikkerhetskontakt for varsler fra HelseCERT og KommuneCERT"
TECHNICAL_STEP = "Legg til en teknisk kontakt for tilknytningen til Helsenettet"
SIGNATORY_STEP = "Registrer hvem som kan signere for organisasjonen (kontakt NHN)"
NO_ROLE = "Du har ingen rolle i noen organisasjon ennå."
NOTHING_TO_DO = "Du har ingen oppgaver akkurat nå."

# Measured for an administrator, for 2 organisations and for 8: session, user, the user's
# organisations, their roles, the user's roles, the current terms versions, memberships, service
# agreements to re-sign, the networks panel (9); and for the advisories still to answer
# (advisories.services.unanswered_counts): the organisations' regions (2), coordinator assignments and
# the regions of the user's own organisations for who may read an AMBER advisory (3), the advisories
# (1) = 15; with advisories to count, their audience (3 prefetches) and the answers (1) = 19
# (advisories/tests/test_front_page_step.py). The bound is 19 + 2, never room for one query per
# organisation.
MAX_HOME_QUERIES = 21


def steps_by_organisation(response: Any) -> dict[str, list[str]]:
    return {card["organisation"].name: [str(s.text) for s in card["steps"]] for card in response.context["cards"]}


def test_the_front_page_lists_the_users_organisations_with_their_roles(world: Any, login: Any) -> None:
    response = login(world["admin_a"]).get(HOME)

    assert response.status_code == 200
    assert [card["organisation"] for card in response.context["cards"]] == [world.org_a]
    content = response.content.decode()
    assert f'href="{world.org_a.get_absolute_url()}">Ringsaker</a>' in content
    assert world.org_a.formatted_org_number in content
    assert "Administrator, Signaturberettiget" in content
    assert "Bergen" not in content


def test_an_organisation_without_a_security_contact_shows_that_step(world: Any, login: Any) -> None:
    response = login(world["member_a"]).get(HOME)

    # org A has a signatory (admin_a) and a technical contact (member_a), but no security contact.
    assert steps_by_organisation(response) == {"Ringsaker": [SECURITY_STEP]}
    content = response.content.decode()
    assert SECURITY_STEP in content
    assert TECHNICAL_STEP not in content
    assert SIGNATORY_STEP not in content


def test_the_security_contact_step_is_gone_once_someone_holds_the_role(world: Any, login: Any) -> None:
    client = login(world["member_a"])
    assert SECURITY_STEP in client.get(HOME).content.decode()
    RoleFactory(user=UserFactory(), organisation=world.org_a, role=OrganisationRoleType.SECURITY_CONTACT)

    response = client.get(HOME)

    content = response.content.decode()
    assert SECURITY_STEP not in content
    assert steps_by_organisation(response) == {"Ringsaker": []}
    assert NOTHING_TO_DO in content


def test_an_expired_security_contact_does_not_count(world: Any, login: Any) -> None:
    RoleFactory(
        user=UserFactory(),
        organisation=world.org_a,
        role=OrganisationRoleType.SECURITY_CONTACT,
        valid_until=dt.date(2020, 1, 1),
    )

    response = login(world["member_a"]).get(HOME)

    assert SECURITY_STEP in response.content.decode()


def test_a_role_held_by_a_deactivated_account_does_not_count(world: Any, login: Any) -> None:
    OrganisationRole.objects.filter(user=world["member_a"]).delete()
    RoleFactory(user=world["admin_b"], organisation=world.org_a, role=OrganisationRoleType.SECURITY_CONTACT)

    response = login(world["admin_b"]).get(HOME)

    assert TECHNICAL_STEP in steps_by_organisation(response)["Ringsaker"]


def test_the_steps_belong_to_each_organisation_separately(world: Any, login: Any) -> None:
    user = UserFactory(full_name="Kari Flere")
    complete = OrganisationFactory(name="Alt På Plass AS")
    empty = OrganisationFactory(name="Helt Ny AS")
    RoleFactory(user=user, organisation=complete, role=OrganisationRoleType.SECURITY_CONTACT)
    RoleFactory(user=user, organisation=complete, role=OrganisationRoleType.TECHNICAL_CONTACT)
    RoleFactory(
        user=UserFactory(),
        organisation=complete,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.GENERAL_MANAGER,
    )
    RoleFactory(user=user, organisation=empty, role=OrganisationRoleType.ADMIN)

    response = login(user).get(HOME)

    assert steps_by_organisation(response) == {
        "Alt På Plass AS": [],
        "Helt Ny AS": [SIGNATORY_STEP, SECURITY_STEP, TECHNICAL_STEP],
    }
    urgent = f'<li class="steps__urgent"><a href="{empty.get_absolute_url()}">{SIGNATORY_STEP}</a></li>'
    assert urgent in response.content.decode()


def test_an_expired_role_does_not_put_the_organisation_on_the_front_page(world: Any, login: Any) -> None:
    user = UserFactory()
    RoleFactory(
        user=user,
        organisation=world.org_b,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.DELEGATED,
        valid_until=dt.date(2020, 1, 1),
    )

    response = login(user).get(HOME)

    assert response.context["cards"] == []
    assert NO_ROLE in response.content.decode()


def test_a_coordinator_sees_a_link_to_the_municipalities_of_their_network(world: Any, login: Any) -> None:
    net_a = world.municipality_a.diginettverk

    response = login(world["coordinator_a"]).get(HOME)

    content = response.content.decode()
    link = (
        f'<a href="{reverse("organisations:organisation_list")}?diginettverk={net_a.pk}">Kommuner i Digi Innlandet</a>'
    )
    assert link in content
    assert "DigiVestland" not in content
    assert NO_ROLE not in content


def test_the_coordinators_link_leads_to_their_municipalities(world: Any, login: Any) -> None:
    client = login(world["coordinator_a"])
    link = f"{reverse('organisations:organisation_list')}?diginettverk={world.municipality_a.diginettverk_id}"

    response = client.get(link)

    assert response.status_code == 200
    assert [org.name for org in response.context["page"].object_list] == ["Ringsaker"]


def test_a_user_with_no_roles_sees_the_no_role_yet_text(world: Any, login: Any) -> None:
    response = login(UserFactory(full_name="Ola Nordmann")).get(HOME)

    content = response.content.decode()
    assert response.status_code == 200
    assert NO_ROLE in content
    assert "Velkommen, Ola" in content
    assert "Dine organisasjoner" not in content


def test_staff_without_organisations_do_not_see_the_no_role_text(world: Any, login: Any) -> None:
    response = login(world["customer_centre"]).get(HOME)

    content = response.content.decode()
    assert NO_ROLE not in content
    assert "Finn en organisasjon" in content


# --- Query count ----------------------------------------------------------------------------------


def _user_with_roles_in(n: int, world: Any) -> Any:
    """A user who administers ``n`` organisations (each with a security contact besides them) and
    coordinates a Diginettverk, so every panel of the front page is filled in."""
    user = UserFactory()
    for org in OrganisationFactory.create_batch(n):
        RoleFactory(user=user, organisation=org, role=OrganisationRoleType.ADMIN)
        RoleFactory(user=UserFactory(), organisation=org, role=OrganisationRoleType.SECURITY_CONTACT)
    user.coordinator_assignments.create(diginettverk=world.municipality_a.diginettverk)
    return user


def _measure(client: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert response.status_code == 200
    return page_query_count(ctx.captured_queries), len(response.context["cards"])


@pytest.mark.parametrize("n", [2, 8])
def test_the_front_page_runs_a_bounded_number_of_queries(
    world: Any, login: Any, django_assert_max_num_queries: Any, n: int
) -> None:
    client = login(_user_with_roles_in(n, world))

    with django_assert_max_num_queries(MAX_HOME_QUERIES):
        response = client.get(HOME)

    assert len(response.context["cards"]) == n


def test_the_query_count_does_not_grow_with_the_number_of_organisations(world: Any, login: Any) -> None:
    few_queries, few_cards = _measure(login(_user_with_roles_in(2, world)))
    many_queries, many_cards = _measure(login(_user_with_roles_in(8, world)))

    assert (few_cards, many_cards) == (2, 8)
    assert few_queries == many_queries <= MAX_HOME_QUERIES

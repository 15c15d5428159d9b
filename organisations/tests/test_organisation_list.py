"""The organisation list: search, filters, sorting, pagination, htmx, scope and query count.

Access (who gets 200/403) is covered by tests/test_authorization_matrix.py; here the question is
*what* each page shows. Texts are asserted in Norwegian (the default language, no Accept-Language).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import page_query_count
from lib.collation import sort_key
from organisations.choices import OrganisationForm
from organisations.models import Organisation
from organisations.tests.factories import (
    CountyFactory,
    DiginettverkFactory,
    MunicipalityFactory,
    OrganisationFactory,
)

URL = reverse("organisations:organisation_list")

# Measured: 6 queries for the list page as staff and 8 as a coordinator (who also reads their roles
# and networks), whether the page holds 10 or 50 rows: session, user, the filter form's counties and
# networks, count, page. The bound is the larger measurement + 2, never room for one query per row.
MAX_LIST_QUERIES = 10


def _names(response: Any) -> list[str]:
    return [org.name for org in response.context["page"].object_list]


def _total(response: Any) -> int:
    return response.context["page"].paginator.count


@pytest.fixture
def staff(world: Any, login: Any) -> Any:
    """A customer-centre employee: sees every organisation."""
    return login(world["customer_centre"])


# --- Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["ålesund", "ÅLESUND", "Ålesund", "  ålesund  ", "LESUND KOMM"])
def test_it_finds_a_name_with_norwegian_letters_in_any_case_as_typed_first(world: Any, staff: Any, query: str) -> None:
    OrganisationFactory(name="Ålesund kommune", form=OrganisationForm.KOMM)
    OrganisationFactory(name="Alesund Tannlegesenter AS")  # no Å: found too, but after the name as typed
    OrganisationFactory(name="Molde kommune")

    response = staff.get(URL, {"q": query})

    assert response.status_code == 200
    assert _names(response)[0] == "Ålesund kommune"
    assert "Molde kommune" not in _names(response)


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("Bodo", "Bodø kommune"),  # without Norwegian letters
        ("aalesund", "Ålesund kommune"),  # å written the old way
        ("Tromso", "Tromsø kommune"),
        ("Lillehamer", "Lillehammer kommune"),  # a small typo
        ("trondhem", "Trondheim kommune"),
        ("kommune bodø", "Bodø kommune"),  # words in another order
    ],
)
def test_it_finds_names_typed_the_hard_ways(world: Any, staff: Any, query: str, wanted: str) -> None:
    for name in ["Bodø kommune", "Ålesund kommune", "Tromsø kommune", "Lillehammer kommune", "Trondheim kommune"]:
        OrganisationFactory(name=name, form=OrganisationForm.KOMM)
    OrganisationFactory(name="Molde kommune", form=OrganisationForm.KOMM)

    response = staff.get(URL, {"q": query})

    assert _names(response)[0] == wanted
    assert "Molde kommune" not in _names(response)


@pytest.mark.parametrize("typed", ["{0} {1} {2}", "{0}.{1}.{2}", "{0}-{1}-{2}", " {0}{1}{2} "])
def test_it_finds_an_organisation_number_typed_with_dots_dashes_or_spaces(world: Any, staff: Any, typed: str) -> None:
    wanted = OrganisationFactory(name="Fjordlegen AS")
    OrganisationFactory(name="Annen Lege AS")
    number = wanted.org_number

    response = staff.get(URL, {"q": typed.format(number[:3], number[3:6], number[6:])})

    assert _names(response) == ["Fjordlegen AS"]


def test_it_finds_an_upper_case_ae_and_oe_name_typed_in_lower_case(world: Any, staff: Any) -> None:
    OrganisationFactory(name="BJØRNAFJORDEN LEGEKONTOR ÆØÅ AS")

    response = staff.get(URL, {"q": "bjørnafjorden legekontor æøå"})

    assert _names(response) == ["BJØRNAFJORDEN LEGEKONTOR ÆØÅ AS"]


def test_it_finds_an_organisation_number_typed_with_spaces(world: Any, staff: Any) -> None:
    wanted = OrganisationFactory(name="Fjordlegen AS")
    OrganisationFactory(name="Annen Lege AS")
    assert " " in wanted.formatted_org_number

    response = staff.get(URL, {"q": wanted.formatted_org_number})

    assert _names(response) == ["Fjordlegen AS"]


def test_it_finds_an_organisation_number_by_its_first_digits_with_spaces(world: Any, staff: Any) -> None:
    wanted = OrganisationFactory(name="Fjordlegen AS")

    response = staff.get(URL, {"q": wanted.formatted_org_number[:7]})  # "8xx xxx"

    assert "Fjordlegen AS" in _names(response)
    assert all(org.org_number.startswith(wanted.org_number[:6]) for org in response.context["page"].object_list)


def test_a_search_with_no_match_says_so_and_lists_nothing(world: Any, staff: Any) -> None:
    response = staff.get(URL, {"q": "finnes ikke"})

    assert response.status_code == 200
    assert _total(response) == 0
    assert "Fant 0 organisasjoner" in response.content.decode()


# --- Filters --------------------------------------------------------------------------------------


def test_it_filters_by_county(world: Any, staff: Any) -> None:
    county_a = world.municipality_a.county
    county_b = world.municipality_b.county

    in_a = staff.get(URL, {"county": county_a.pk})
    in_b = staff.get(URL, {"county": county_b.pk})

    assert _names(in_a) == ["Ringsaker"]
    assert _names(in_b) == ["Bergen", "Bergen Legesenter AS"]


def test_the_county_filter_includes_the_county_authority_once(world: Any, staff: Any) -> None:
    county_a = world.municipality_a.county
    authority = OrganisationFactory(
        name="Innlandet fylkeskommune", form=OrganisationForm.FYLK, address_municipality=world.municipality_a
    )
    county_a.organisation = authority
    county_a.save()
    # A county authority addressed elsewhere still belongs to its county.
    county_b = world.municipality_b.county
    county_b.organisation = OrganisationFactory(name="Vestland fylkeskommune", form=OrganisationForm.FYLK)
    county_b.save()

    response = staff.get(URL, {"county": county_a.pk})
    in_b = staff.get(URL, {"county": county_b.pk})

    # The authority is addressed in the county and is its authority: it is listed once.
    assert _names(response) == ["Innlandet fylkeskommune", "Ringsaker"]
    assert _total(response) == 2
    assert "Vestland fylkeskommune" in _names(in_b)


def test_it_filters_by_diginettverk_to_the_municipalities_of_that_network(world: Any, staff: Any) -> None:
    net_a = world.municipality_a.diginettverk
    MunicipalityFactory(name="Hamar", county=world.municipality_a.county, diginettverk=net_a)
    OrganisationFactory(name="Ringsaker Legesenter AS", address_municipality=world.municipality_a)

    response = staff.get(URL, {"diginettverk": net_a.pk})

    assert _names(response) == ["Hamar", "Ringsaker"]


@pytest.mark.parametrize(
    ("form", "expected"),
    [("AS", ["Bergen Legesenter AS"]), ("KOMM", ["Bergen", "Ringsaker"]), ("ENK", ["Enkel Lege"])],
)
def test_it_filters_by_organisation_form(world: Any, staff: Any, form: str, expected: list[str]) -> None:
    OrganisationFactory(name="Enkel Lege", form=OrganisationForm.ENK)

    response = staff.get(URL, {"form": form})

    assert _names(response) == expected


def test_filters_combine(world: Any, staff: Any) -> None:
    response = staff.get(URL, {"county": world.municipality_b.county.pk, "form": "AS", "q": "bergen"})

    assert _names(response) == ["Bergen Legesenter AS"]


# --- Sorting --------------------------------------------------------------------------------------


def test_it_sorts_by_organisation_number_descending(world: Any, staff: Any) -> None:
    for name in ["Alfa AS", "Omega AS", "Midt AS"]:
        OrganisationFactory(name=name)

    response = staff.get(URL, {"sort": "-org_number"})

    numbers = [org.org_number for org in response.context["page"].object_list]
    assert len(numbers) == Organisation.objects.count() == 6
    assert numbers == sorted(numbers, reverse=True)
    assert _names(response) != sorted(_names(response))  # not simply the name order


def test_it_sorts_by_name_by_default(world: Any, staff: Any) -> None:
    for name in ["Østre Toten", "Aurskog", "Ås"]:
        OrganisationFactory(name=name)

    response = staff.get(URL)

    names = _names(response)
    assert names == sorted(names, key=sort_key)  # Norwegian order: Ø before Å, both after Z
    assert names.index("Østre Toten") < names.index("Ås")


# --- Scope of a Diginettverk coordinator ----------------------------------------------------------


def test_a_coordinator_sees_only_the_municipalities_of_their_network(world: Any, login: Any) -> None:
    net_a = world.municipality_a.diginettverk
    MunicipalityFactory(name="Hamar", county=world.municipality_a.county, diginettverk=net_a)
    MunicipalityFactory(name="Voss", county=world.municipality_b.county, diginettverk=world.municipality_b.diginettverk)
    OrganisationFactory(name="Ringsaker Legesenter AS", address_municipality=world.municipality_a)
    client = login(world["coordinator_a"])

    response = client.get(URL)

    assert _names(response) == ["Hamar", "Ringsaker"]
    content = response.content.decode()
    assert world.org_b.name not in _names(response)
    assert "Bergen Legesenter AS" not in content
    assert "Voss" not in content


OUTSIDE_NETWORK_A = {
    "name": lambda w: {"q": "Bergen"},
    "number": lambda w: {"q": w.org_b.formatted_org_number},
    "form": lambda w: {"form": "AS"},
    "county-b": lambda w: {"county": str(w.municipality_b.county_id)},
    "network-b": lambda w: {"diginettverk": str(w.municipality_b.diginettverk_id)},
}


@pytest.mark.parametrize("case", OUTSIDE_NETWORK_A)
def test_no_filter_lets_a_coordinator_reach_organisations_outside_their_network(
    world: Any, login: Any, case: str
) -> None:
    client = login(world["coordinator_a"])

    response = client.get(URL, OUTSIDE_NETWORK_A[case](world))

    assert response.status_code == 200
    assert _total(response) == 0
    assert "Bergen" not in response.content.decode().split('id="results"', 1)[1]


# --- Pagination -----------------------------------------------------------------------------------


@pytest.fixture
def many(world: Any) -> int:
    """55 more organisations: 58 with the world's three, so two pages of 50."""
    OrganisationFactory.create_batch(55)
    return Organisation.objects.count()


def test_the_second_page_holds_the_rest(world: Any, staff: Any, many: int) -> None:
    first = staff.get(URL)
    second = staff.get(URL, {"page": "2"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == many - 50 == 8
    assert set(_names(first)).isdisjoint(_names(second))
    assert "Side 2 av 2" in second.content.decode()


@pytest.mark.parametrize("page", ["999", "-1", "0"])
def test_a_page_beyond_the_end_shows_the_last_page(world: Any, staff: Any, many: int, page: str) -> None:
    response = staff.get(URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 8


@pytest.mark.parametrize("page", ["abc", "", "1.5", "2\x00", "%00"])
def test_a_page_that_is_not_a_number_shows_the_first_page(world: Any, staff: Any, many: int, page: str) -> None:
    response = staff.get(URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_the_page_links_keep_the_filters(world: Any, staff: Any) -> None:
    OrganisationFactory.create_batch(52, form=OrganisationForm.ENK)

    response = staff.get(URL, {"form": "ENK", "page": "1"})

    content = response.content.decode()
    assert _total(response) == 52
    assert 'href="?form=ENK&amp;page=2"' in content
    assert "page=1&amp;page" not in content  # the current page number is not repeated


# --- Invalid filter values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"county": "notanumber"},
        {"county": "999999"},
        {"county": "99999999999999999999999999"},
        {"diginettverk": "abc"},
        {"form": "XYZ"},
        {"form": "komm"},
        {"register_status": "nope"},
        {"sort": "password"},
        {"sort": "-search_name,password"},
        {"q": "x" * 101},
        {"county": "1\x00"},
    ],
    ids=lambda p: "&".join(f"{k}={v[:12]!r}" for k, v in p.items()),
)
def test_an_invalid_filter_value_answers_200_with_an_error_never_a_500(
    world: Any, staff: Any, params: dict[str, str]
) -> None:
    response = staff.get(URL, params)

    assert response.status_code == 200
    assert response.context["filter"].errors
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert "Noe må rettes" in content
    assert _total(response) == 0  # an invalid filter never falls back to "everything"


def test_an_invalid_choice_names_the_problem_in_norwegian(world: Any, staff: Any) -> None:
    response = staff.get(URL, {"form": "XYZ"})

    assert "Velg et gyldig valg. XYZ er ikke et av de tilgjengelige valgene." in response.content.decode()


# --- htmx -----------------------------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_results_fragment(world: Any, staff: Any) -> None:
    response = staff.get(URL, {"form": "AS"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "<form" not in content
    assert 'class="result-count"' in content
    assert "Bergen Legesenter AS" in content
    assert ">Ringsaker<" not in content


def test_a_normal_request_gets_the_whole_page(world: Any, staff: Any) -> None:
    response = staff.get(URL, {"form": "AS"})

    content = response.content.decode()
    assert "<html" in content
    assert 'id="results"' in content


# --- Query count ----------------------------------------------------------------------------------


def _populate(n: int, world: Any) -> None:
    """``n`` municipalities in A's network (visible to coordinator_a) and ``n`` enterprises with an
    address (visible to staff), so every column of the table is filled in from related rows."""
    net_a = world.municipality_a.diginettverk
    county = CountyFactory(number="03", name="Oslo")
    for _ in range(n):
        MunicipalityFactory(county=county, diginettverk=net_a)
        OrganisationFactory(address_municipality=world.municipality_b)


def _measure(client: Any, params: dict[str, str] | None = None) -> tuple[int, int, int]:
    """(queries run, rows shown, organisations found) for one request of the list."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    page = response.context["page"]
    return page_query_count(ctx.captured_queries), len(page.object_list), page.paginator.count


@pytest.mark.parametrize("persona", ["customer_centre", "coordinator_a"])
@pytest.mark.parametrize("size", [10, 60])
def test_the_list_runs_a_bounded_number_of_queries(
    world: Any, login: Any, django_assert_max_num_queries: Any, persona: str, size: int
) -> None:
    _populate(size, world)
    client = login(world[persona])

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(URL)

    visible = Organisation.objects.visible_to(world[persona]).count()
    assert visible > size
    assert len(response.context["page"].object_list) == min(visible, 50)


@pytest.mark.parametrize("persona", ["customer_centre", "coordinator_a"])
@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "-org_number", "form": "KOMM"}, {"q": "kommune"}, {"page": "2"}],
    ids=["plain", "sorted", "search", "page-2"],
)
def test_the_query_count_does_not_grow_with_the_number_of_organisations(
    world: Any, login: Any, persona: str, params: dict[str, str]
) -> None:
    client = login(world[persona])
    _populate(10, world)
    small_queries, small_rows, small_found = _measure(client, params)
    _populate(50, world)  # 60 of each now
    large_queries, large_rows, large_found = _measure(client, params)

    assert large_found > small_found and large_rows >= small_rows >= 10  # the page really holds more
    assert small_queries == large_queries <= MAX_LIST_QUERIES


def test_other_networks_exist_but_stay_hidden(world: Any, login: Any) -> None:
    """Guard for the coordinator tests above: the other network's municipalities really are there."""
    other = DiginettverkFactory(name="Digi Nord")
    MunicipalityFactory(name="Tromsø", diginettverk=other)

    staff_view = login(world["customer_centre"]).get(URL, {"diginettverk": other.pk})
    assert _names(staff_view) == ["Tromsø"]

    coordinator_view = login(world["coordinator_a"]).get(URL, {"q": "tromsø"})
    assert _names(coordinator_view) == []


def test_the_sort_choices_are_in_norwegian_including_django_filters_own_labels(world: Any, staff: Any) -> None:
    page = staff.get(reverse("organisations:organisation_list"), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "(synkende)" in page
    assert "(descending)" not in page

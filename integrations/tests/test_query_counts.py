"""The hot reads stay a fixed number of queries, however much data (no N+1)."""

from __future__ import annotations

from typing import Any

from integrations import member_cache
from integrations.tests.conftest import ApiWorld


def test_the_lookup_is_one_query_once_the_token_check_is_cached(
    api_world: ApiWorld, client: Any, django_assert_num_queries: Any
) -> None:
    url = f"/api/v1/members/{api_world.world.org_a.org_number}"
    with django_assert_num_queries(3):  # the token with its owner, its last use recorded, the member
        assert client.get(url, **api_world.auth("national")).status_code == 200
    member_cache.bump()  # the cached answer (integrations.member_cache) forgotten: read again
    with django_assert_num_queries(1):  # the member with its membership, municipality and "since"
        assert client.get(url, **api_world.auth("national")).status_code == 200
    with django_assert_num_queries(0):  # then the answer itself is cached
        assert client.get(url, **api_world.auth("national")).status_code == 200


def test_an_organisations_token_looks_up_its_own_organisation_in_one_query(
    api_world: ApiWorld, client: Any, django_assert_num_queries: Any
) -> None:
    url = f"/api/v1/members/{api_world.world.org_a.org_number}"
    client.get(url, **api_world.auth("read_only"))  # checks the owner's roles once, then cached
    member_cache.bump()
    with django_assert_num_queries(1):
        assert client.get(url, **api_world.auth("read_only")).status_code == 200
    with django_assert_num_queries(0):  # then the answer is cached too
        assert client.get(url, **api_world.auth("read_only")).status_code == 200


def test_lists_do_not_grow_with_rows(api_world: ApiWorld, client: Any, django_assert_num_queries: Any) -> None:
    client.get("/api/v1/services/", **api_world.auth("national"))
    for url, kind, queries in (
        # With the token check cached (the first call makes it), only the reads themselves (the member
        # list's page is cached, integrations.member_cache: none, see the test below):
        ("/api/v1/members/", "national", 0),
        ("/api/v1/authorisations/", "national", 1),
        ("/api/v1/services/", "national", 2),  # services, their prerequisites
        ("/api/v1/orders/", "read_only", 2),  # the token's organisation, its orders
        # the organisation; its regions (form, county, network: two queries, as on the pages); advisories; answers
        ("/api/v1/advisories/", "read_only", 5),
    ):
        client.get(url, **api_world.auth(kind))
        with django_assert_num_queries(queries):
            response = client.get(url, **api_world.auth(kind))
        assert response.status_code == 200, url


def test_the_member_lists_page_is_one_query_then_cached(
    api_world: ApiWorld, client: Any, django_assert_num_queries: Any
) -> None:
    client.get("/api/v1/services/", **api_world.auth("national"))  # the token check cached
    member_cache.bump_list()
    with django_assert_num_queries(1):  # the page's members with their memberships, municipalities, "since"
        first = client.get("/api/v1/members/", **api_world.auth("national"))
    with django_assert_num_queries(0):
        again = client.get("/api/v1/members/", **api_world.auth("national"))
    assert first.status_code == again.status_code == 200
    assert first.content == again.content

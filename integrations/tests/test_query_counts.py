"""The hot reads stay a fixed number of queries, however much data (no N+1)."""

from __future__ import annotations

from typing import Any

from integrations.tests.conftest import ApiWorld


def test_the_lookup_is_two_queries(api_world: ApiWorld, client: Any, django_assert_num_queries: Any) -> None:
    url = f"/api/v1/members/{api_world.world.org_a.org_number}"
    client.get(url, **api_world.auth("national"))  # records the last use (at most once a minute)
    with django_assert_num_queries(2):  # the token with its owner; the member with its membership
        assert client.get(url, **api_world.auth("national")).status_code == 200


def test_lists_do_not_grow_with_rows(api_world: ApiWorld, client: Any, django_assert_num_queries: Any) -> None:
    client.get("/api/v1/services/", **api_world.auth("national"))
    for url, kind, queries in (
        ("/api/v1/members/", "national", 2),
        ("/api/v1/authorisations/", "national", 2),
        ("/api/v1/services/", "national", 3),  # services, their prerequisites
        ("/api/v1/orders/", "read_only", 3),  # + the owner's roles: may they still make the token?
        # the organisation's regions (form, county, network: two queries, as on the pages), advisories, answers
        ("/api/v1/advisories/", "read_only", 6),
    ):
        client.get(url, **api_world.auth(kind))
        with django_assert_num_queries(queries):
            response = client.get(url, **api_world.auth(kind))
        assert response.status_code == 200, url

"""The member lookup's cached answers (integrations.member_cache): the answer is the one the query gives,
every token is still checked against the organisation, and whatever an answer shows is seen on the next
request after it changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from integrations import member_cache
from integrations.tests.conftest import ApiWorld
from memberships.choices import MembershipState
from memberships.models import Membership, TermsVersion
from memberships.services import membership_transition
from organisations.models import Organisation

LOOKUP = "/api/v1/members/{}"


def _lookup(api_world: ApiWorld, client: Any, kind: str = "national", org: Any = None) -> Any:
    org = org or api_world.world.org_a
    return client.get(LOOKUP.format(org.org_number), **api_world.auth(kind))


def _warm(api_world: ApiWorld, client: Any, kind: str = "national") -> dict[str, Any]:
    """Three calls: the token check cached, the answer cached, the answer served from the cache."""
    bodies = [_lookup(api_world, client, kind) for _ in range(3)]
    assert all(b.status_code == 200 for b in bodies)
    assert bodies[0].content == bodies[1].content == bodies[2].content
    return bodies[2].json()  # type: ignore[no-any-return]


def test_a_cached_answer_is_served_without_a_query(
    api_world: ApiWorld, client: Any, django_assert_num_queries: Any
) -> None:
    _warm(api_world, client)
    with django_assert_num_queries(0):
        response = _lookup(api_world, client)
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"


def test_the_cached_answer_is_the_member_lists_answer(api_world: ApiWorld, client: Any) -> None:
    """The lookup renders its answer itself (to keep it rendered); the list goes through django-ninja's
    own validation and rendering: both say the same about the same organisation."""
    cached = _warm(api_world, client)
    listing = client.get("/api/v1/members/", **api_world.auth("national")).json()["results"]
    assert [row for row in listing if row["orgnr"] == cached["orgnr"]] == [cached]


def test_another_organisations_token_does_not_get_the_cached_answer(api_world: ApiWorld, client: Any) -> None:
    _warm(api_world, client, "national")  # org A's answer is in the cache
    response = _lookup(api_world, client, "other_org")  # B's token may not see A
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert _lookup(api_world, client, "read_only").status_code == 200  # A's own token may


def test_a_membership_change_is_seen_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    assert _warm(api_world, client)["membership"]["state"] == "invited"
    membership = Membership.objects.get(organisation=api_world.world.org_a)
    membership_transition(membership=membership, to_state=MembershipState.ACTIVE)
    body = _lookup(api_world, client).json()
    assert body["membership"]["state"] == "active" and body["membership"]["is_member"] is True


def test_an_organisation_s_new_name_is_seen_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    _warm(api_world, client)
    org = Organisation.objects.get(pk=api_world.world.org_a.pk)
    org.name = "Nytt namn kommune"
    org.save()
    assert _lookup(api_world, client).json()["name"] == "Nytt namn kommune"


def test_a_municipality_or_county_change_is_seen_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    _warm(api_world, client)
    municipality = Organisation.objects.get(pk=api_world.world.org_a.pk).municipality
    municipality.name = "Nyby"
    municipality.save()
    assert _lookup(api_world, client).json()["municipality"]["name"] == "Nyby"
    county = municipality.county
    county.number = "99"
    county.save()
    assert _lookup(api_world, client).json()["municipality"]["county"] == "99"


def test_a_new_label_of_the_signed_terms_is_seen_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    today = timezone.localdate()
    version = TermsVersion.objects.create(
        label="2026",
        membership_terms="-",
        data_processing="-",
        customer_agreement="-",
        effective_date=today,
        sign_by=today,
    )
    Membership.objects.filter(organisation=api_world.world.org_a).update(signed_version=version)  # no signal
    member_cache.bump()  # (what the update above did not do)
    assert _warm(api_world, client)["membership"]["terms_version"] == "2026"
    version.label = "2026-b"
    version.save()
    assert _lookup(api_world, client).json()["membership"]["terms_version"] == "2026-b"


def test_a_deleted_organisation_is_unknown_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    """An organisation with no membership and nothing else attached (an import's mistake, deleted)."""
    org = Organisation.objects.create(name="Feil AS", org_number="974760673", form="AS")
    for _ in range(3):
        assert _lookup(api_world, client, org=org).status_code == 200
    org.delete()
    assert _lookup(api_world, client, org=org).status_code == 404


def test_a_change_that_bypasses_the_model_is_seen_within_the_time_to_live(api_world: ApiWorld, client: Any) -> None:
    _warm(api_world, client)
    Organisation.objects.filter(pk=api_world.world.org_a.pk).update(name="Stille endring")  # no signal
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=member_cache.MEMBER_CACHE_SECONDS + 1)):
        assert _lookup(api_world, client).json()["name"] == "Stille endring"


def test_an_answer_read_before_a_change_is_not_kept_after_it(api_world: ApiWorld) -> None:
    """A lookup reads the generation, then the rows; a change commits meanwhile: what it stores is of the
    old generation, and never served."""
    orgnr = api_world.world.org_a.org_number
    member_cache.bump()
    generation, cached = member_cache.read(orgnr)
    assert cached is None
    member_cache.bump()  # the change, between the lookup's read and its store
    member_cache.remember(orgnr, generation, api_world.world.org_a.pk, b"{}")
    assert member_cache.read(orgnr)[1] is None


def test_the_token_check_reads_the_cached_answer_in_the_same_round_trip(
    api_world: ApiWorld, client: Any, monkeypatch: Any
) -> None:
    from django.core.cache import cache

    _warm(api_world, client)
    calls: list[tuple[str, tuple[Any, ...]]] = []
    depth = [0]

    def spy(name: str, original: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not depth[0]:  # the backend's own calls (LocMemCache.get_many calls get) are not round trips
                calls.append((name, args))
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return wrapped

    for name in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(cache, name, spy(name, getattr(cache, name)))
    assert _lookup(api_world, client).status_code == 200
    assert [name for name, _args in calls] == ["get_many"], calls  # the token, generation and answer: one MGET
    assert member_cache.GENERATION_KEY in calls[0][1][0]


# --- the member list's pages -------------------------------------------------------------------------


def _states(api_world: ApiWorld, client: Any, query: str = "", kind: str = "national") -> dict[str, str]:
    response = client.get(f"/api/v1/members/{query}", **api_world.auth(kind))
    assert response.status_code == 200
    return {row["orgnr"]: row["membership"]["state"] for row in response.json()["results"]}


def test_the_member_list_shows_a_membership_change_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    org_a = api_world.world.org_a.org_number
    assert _states(api_world, client)[org_a] == "invited"  # cached now
    membership = Membership.objects.get(organisation=api_world.world.org_a)
    membership_transition(membership=membership, to_state=MembershipState.ACTIVE)
    assert _states(api_world, client)[org_a] == "active"
    assert org_a in _states(api_world, client, "?status=active")


def test_the_member_lists_service_filter_follows_a_new_agreement(api_world: ApiWorld, client: Any) -> None:
    from agreements.models import ServiceAgreement

    agreement = ServiceAgreement.objects.select_related("service", "organisation").first()
    assert agreement is not None and agreement.organisation.org_number
    query = f"?service={agreement.service.slug}"
    assert agreement.organisation.org_number in _states(api_world, client, query)  # cached now
    ServiceAgreement.objects.filter(service=agreement.service).delete()  # post_delete: the pages are dropped
    assert _states(api_world, client, query) == {}
    agreement.pk = None
    agreement.save()  # a new agreement (post_save): the next page lists its holder
    assert agreement.organisation.org_number in _states(api_world, client, query)


def test_a_token_that_may_not_list_is_refused_though_the_page_is_cached(api_world: ApiWorld, client: Any) -> None:
    assert _states(api_world, client)  # cached under the national token's scope
    response = client.get("/api/v1/members/", **api_world.auth("read_only"))
    assert response.status_code == 403 and b"orgnr" not in response.content

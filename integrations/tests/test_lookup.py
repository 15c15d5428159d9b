"""The member lookup and the API's common behaviour: problem details, tokens, rate limit, the schema."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import override_settings
from django.utils import timezone

from core.models import AuditEvent
from integrations.models import ApiToken
from integrations.services import api_token_revoke
from integrations.tests.conftest import ApiWorld

LOOKUP = "/api/v1/members/{}"


def test_it_answers_whether_an_organisation_is_a_member(api_world: ApiWorld, client: Any) -> None:
    org = api_world.world.org_a
    response = client.get(LOOKUP.format(org.org_number), **api_world.auth("national"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["orgnr"] == org.org_number and body["name"] == org.name
    assert body["membership"]["state"] == "invited" and body["membership"]["is_member"] is False
    assert body["membership"]["since"] is not None
    assert body["municipality"]["number"] == "3411" and body["municipality"]["county"] == "34"


def test_an_unknown_number_is_404_with_a_clear_body(api_world: ApiWorld, client: Any) -> None:
    response = client.get(LOOKUP.format("974760673"), **api_world.auth("national"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["type"].endswith("/unknown-organisation")
    assert "974760673" in body["detail"] and "not a member" in body["detail"]


def test_a_malformed_or_mod11_invalid_number_is_400(api_world: ApiWorld, client: Any) -> None:
    for bad, words in (("974760674", "check digit"), ("12345", "9 digits"), ("97476067x", "digits only")):
        response = client.get(LOOKUP.format(bad), **api_world.auth("national"))
        assert response.status_code == 400, bad
        assert response["Content-Type"] == "application/problem+json"
        assert words in response.json()["detail"]


def test_problems_are_translated(api_world: ApiWorld, client: Any) -> None:
    response = client.get(LOOKUP.format("974760674"), HTTP_ACCEPT_LANGUAGE="nb", **api_world.auth("national"))
    assert response.status_code == 400
    assert "kontrollsifferet" in response.json()["detail"].lower()


def test_it_refuses_without_a_valid_token(api_world: ApiWorld, client: Any) -> None:
    org = api_world.world.org_a
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer mpt_wrong"}, {"HTTP_AUTHORIZATION": "Basic eA=="}):
        response = client.get(LOOKUP.format(org.org_number), **headers)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_revocation_takes_effect_on_the_next_request(api_world: ApiWorld, client: Any) -> None:
    url = LOOKUP.format(api_world.world.org_a.org_number)
    assert client.get(url, **api_world.auth("read_only")).status_code == 200
    token = ApiToken.objects.get(description="EPJ (reads)")
    api_token_revoke(actor=api_world.world["admin_a"], token=token)
    assert client.get(url, **api_world.auth("read_only")).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).exists()


def test_expiry_and_the_owner_s_account_are_honoured(api_world: ApiWorld, client: Any) -> None:
    url = LOOKUP.format(api_world.world.org_a.org_number)
    token = ApiToken.objects.get(description="EPJ (reads)")
    token.expires_on = timezone.localdate()
    token.save()
    assert client.get(url, **api_world.auth("read_only")).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(days=1)):
        assert client.get(url, **api_world.auth("read_only")).status_code == 401
    owner = api_world.world["admin_a"]
    owner.is_active = False
    owner.save()
    assert client.get(url, **api_world.auth("read_write")).status_code == 401


def test_only_the_hash_is_stored_and_the_last_use_is_recorded(api_world: ApiWorld, client: Any) -> None:
    secret = api_world.tokens["read_only"]
    token = ApiToken.objects.get(description="EPJ (reads)")
    assert secret not in str(ApiToken.objects.values_list()) and token.key_hash != secret
    assert token.last_used_at is None
    client.get(LOOKUP.format(api_world.world.org_a.org_number), **api_world.auth("read_only"))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_read_only_token_gets_403_on_every_write(api_world: ApiWorld, client: Any) -> None:
    order = api_world.objects["A"]["order"]
    response = client.post(
        f"/api/v1/orders/{order.pk}/comments",
        data={"text": "Hei"},
        content_type="application/json",
        **api_world.auth("read_only"),
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_it_limits_the_rate_per_token_with_retry_after(api_world: ApiWorld, client: Any) -> None:
    url = LOOKUP.format(api_world.world.org_a.org_number)
    with time_machine.travel("2030-01-01 12:00:00+00:00", tick=False):
        codes = [client.get(url, **api_world.auth("national")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get(url, **api_world.auth("national"))
        assert 1 <= int(limited["Retry-After"]) <= 60
        assert limited["Content-Type"] == "application/problem+json"
        # Another token has its own budget.
        assert client.get(url, **api_world.auth("read_only")).status_code == 200


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_the_api_budget_lives_in_the_portals_one_rate_limit_storage(api_world: ApiWorld, client: Any) -> None:
    """One mechanism (core.ratelimit, shared by every node through Redis): the API's counter is its counter,
    and an operator's reset clears it."""
    from core import ratelimit

    url = LOOKUP.format(api_world.world.org_a.org_number)
    assert [client.get(url, **api_world.auth("national")).status_code for _ in range(3)] == [200, 200, 429]
    token = ApiToken.objects.get(prefix=api_world.tokens["national"][:10])
    assert not ratelimit.hit("api-token", str(token.pk), "2/minute").allowed
    ratelimit.reset()
    assert client.get(url, **api_world.auth("national")).status_code == 200


def test_the_schema_is_openapi_3_1_and_not_public(api_world: ApiWorld, client: Any, login: Any) -> None:
    assert client.get("/api/v1/schema/").status_code == 302
    response = client.get("/api/v1/schema/", **api_world.auth("read_only"))
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/members/{orgnr}" in schema["paths"]
    assert client.get("/api/v1/docs/").status_code == 302
    login(api_world.world["member_a"])
    assert client.get("/api/v1/docs/").status_code == 200


def test_a_token_ends_when_its_owner_may_no_longer_make_it(api_world: ApiWorld, client: Any) -> None:
    from organisations.models import OrganisationRole

    url = LOOKUP.format(api_world.world.org_a.org_number)
    assert client.get(url, **api_world.auth("read_only")).status_code == 200
    OrganisationRole.objects.filter(user=api_world.world["admin_a"], role="admin").delete()
    assert client.get(url, **api_world.auth("read_only")).status_code == 401
    assert client.get(url, **api_world.auth("national")).status_code == 200


def test_changed_since_takes_any_rfc_3339_offset(api_world: ApiWorld, client: Any) -> None:
    for value, status in (
        ("2020-01-01T00:00:00Z", 200),
        ("3304-06-24T14:13:19-23:52", 200),  # beyond PostgreSQL's ±15:59: asked in UTC
        ("9999-12-31T23:59:59-23:59", 400),
        ("2020-01-01T00:00:00", 400),  # no offset
        ("0", 400),  # not a Unix time
    ):
        response = client.get("/api/v1/members/", {"changed_since": value}, **api_world.auth("national"))
        assert response.status_code == status, value

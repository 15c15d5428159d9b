"""A request with a bearer token passes the API's own middleware stack (core.stacks, settings.API_MIDDLEWARE),
not a person's: no session is read or made, no one is signed in, and the answer is never stored; a person
who opens the API's docs passes the browser stack as on any page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from integrations.middleware import CONTENT_SECURITY_POLICY
from integrations.tests.conftest import ApiWorld

LOOKUP = "/api/v1/members/{}"


def test_a_token_request_reads_no_session_though_the_browser_sends_one(
    api_world: ApiWorld, client: Any, login: Any
) -> None:
    login(api_world.world["member_a"])
    response = client.get(LOOKUP.format(api_world.world.org_a.org_number), **api_world.auth("read_only"))
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert isinstance(request.user, AnonymousUser)
    assert request.token_check.organisation_id == api_world.world.org_a.pk
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_the_answers_a_token_gets_are_never_stored_whatever_their_status(api_world: ApiWorld, client: Any) -> None:
    token = api_world.auth("read_only")
    answers = {
        "unknown path": client.get("/api/v1/no-such-thing/", **token),
        "unknown token": client.get(LOOKUP.format(api_world.world.org_a.org_number), HTTP_AUTHORIZATION="Bearer x"),
        "malformed number": client.get(LOOKUP.format("123"), **token),
        "another's order": client.get(f"/api/v1/orders/{api_world.objects['B']['order'].pk}", **token),
    }
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {"unknown path": 404, "unknown token": 401, "malformed number": 400, "another's order": 404}
    for response in answers.values():
        assert response["Content-Type"] == "application/problem+json"
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_token_reads_the_schema_and_a_signed_in_person_the_docs_through_the_browser_stack(
    api_world: ApiWorld, client: Any, login: Any
) -> None:
    schema = client.get("/api/v1/schema/", **api_world.auth("national"))
    assert schema.status_code == 200 and not hasattr(schema.wsgi_request, "session")
    login(api_world.world["member_a"])
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert docs.wsgi_request.user == api_world.world["member_a"]
    assert "default-src 'self'" in docs["Content-Security-Policy"]
    assert "no-store" in docs["Cache-Control"]  # a signed-in person's page

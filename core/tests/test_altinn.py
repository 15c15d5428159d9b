"""Altinn's authorization decision as a second source of authority to sign, behind the same interface,
tested against a local decision point on loopback answering in Altinn's XACML JSON shape. Off by default."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from core.authority import AltinnSource, Refusal, RegisterBasis
from lib.altinn import ACTION, ORGANISATION, PERSON_ID, RESOURCE

PID = "01017012345"  # a synthetic test number, never a real person's


class FakeAltinn:
    def __init__(self) -> None:
        self.decision = "Permit"
        self.requests: list[tuple[dict[str, str], Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append((dict(self.headers), body))
                if self.path != "/authorization/api/v1/authorize":
                    self.send_response(404)
                    self.end_headers()
                    return
                answer = {
                    "Response": [
                        {
                            "Decision": fake.decision,
                            "Status": {"StatusCode": {"Value": "urn:oasis:names:tc:xacml:1.0:status:ok"}},
                            "Obligations": None,
                            "AssociateAdvice": None,
                        }
                    ]
                }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture(scope="session")
def altinn() -> Iterator[FakeAltinn]:
    fake = FakeAltinn()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def configured(altinn: FakeAltinn, settings: Any) -> FakeAltinn:
    settings.ALTINN_AUTHORIZATION_URL = altinn.url
    settings.ALTINN_AUTHORIZATION_TOKEN = "test-token"
    settings.ALTINN_SUBSCRIPTION_KEY = "test-key"
    settings.ALTINN_RESOURCE = "nhn-medlemsportal-signering"
    settings.SIGNING_AUTHORITY_SOURCES = [*settings.SIGNING_AUTHORITY_SOURCES, "core.authority.AltinnSource"]
    altinn.decision = "Permit"
    altinn.requests.clear()
    return altinn


def test_altinn_is_off_by_default(settings: Any) -> None:
    assert settings.ALTINN_AUTHORIZATION_URL == ""
    assert settings.SIGNING_AUTHORITY_SOURCES == ["enhetsregisteret.authority.EnhetsregisteretSource"]


def test_a_permit_is_a_basis_and_the_question_names_person_organisation_resource_and_action(
    world: Any, configured: FakeAltinn
) -> None:
    answer = AltinnSource().decide(user=world["member_a"], organisation=world.org_a, person_id=PID)

    assert isinstance(answer, RegisterBasis)
    assert (answer.source, answer.role_code, answer.entry["decision"]) == ("altinn", "ALTINN", "Permit")
    headers, body = configured.requests[-1]
    assert headers["Authorization"] == "Bearer test-token" and headers["Ocp-Apim-Subscription-Key"] == "test-key"
    request = body["Request"]
    assert request["AccessSubject"][0]["Attribute"][0] == {
        "AttributeId": PERSON_ID,
        "Value": PID,
        "DataType": "http://www.w3.org/2001/XMLSchema#string",
    }
    assert request["Action"][0]["Attribute"][0]["AttributeId"] == ACTION
    assert request["Action"][0]["Attribute"][0]["Value"] == "sign"
    resource = {a["AttributeId"]: a["Value"] for a in request["Resource"][0]["Attribute"]}
    assert resource == {RESOURCE: "nhn-medlemsportal-signering", ORGANISATION: world.org_a.org_number}


def test_a_deny_is_a_refusal_with_the_way_forward(world: Any, configured: FakeAltinn) -> None:
    configured.decision = "Deny"

    answer = AltinnSource().decide(user=world["member_a"], organisation=world.org_a, person_id=PID)

    assert isinstance(answer, Refusal)
    assert "Deny" in answer.reason and answer.way_forward


def test_without_the_person_s_number_or_when_altinn_fails_it_has_no_opinion(
    world: Any, configured: FakeAltinn, settings: Any
) -> None:
    assert AltinnSource().decide(user=world["member_a"], organisation=world.org_a, person_id=None) is None
    settings.ALTINN_AUTHORIZATION_URL = "http://127.0.0.1:9"  # nothing listens there
    assert AltinnSource().decide(user=world["member_a"], organisation=world.org_a, person_id=PID) is None


def test_the_registers_are_asked_in_order_and_altinn_can_grant_what_enhetsregisteret_does_not(
    world: Any, configured: FakeAltinn
) -> None:
    from core.authority import decide

    answer = decide(user=world["member_a"], organisation=world.org_a, person_id=PID)

    assert isinstance(answer, RegisterBasis) and answer.source == "altinn"
    configured.decision = "Deny"
    refusals = decide(user=world["member_a"], organisation=world.org_a, person_id=PID)
    assert isinstance(refusals, list) and len(refusals) == 2  # Enhetsregisteret's reason first, then Altinn's

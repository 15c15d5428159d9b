"""A small client for Altinn's authorization decision point (PDP, XACML 3.0 JSON profile).

It asks one question — may this person perform ``action`` on ``resource`` for organisation X — and
returns Altinn's decision. Altinn answers "Permit" when the person holds a role that gives the right
(for example daglig leder through Enhetsregisteret) or a right delegated to them in Altinn.

No Django here: the caller passes the configuration. Time-outs on every request, no redirects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

TIMEOUT = (5, 15)
USER_AGENT = "Medlemsportal/1.0 (Norsk helsenett; medlemsportal@nhn.no)"
PERSON_ID = "urn:altinn:person:identifier-no"
ORGANISATION = "urn:altinn:organization:identifier-no"
RESOURCE = "urn:altinn:resource"
ACTION = "urn:oasis:names:tc:xacml:1.0:action:action-id"
STRING = "http://www.w3.org/2001/XMLSchema#string"


class AltinnError(Exception):
    """Altinn could not be asked, or answered something we do not understand."""


@dataclass(frozen=True)
class Decision:
    permitted: bool
    decision: str  # "Permit", "Deny", "NotApplicable" or "Indeterminate", as Altinn says it
    raw: dict[str, Any]


class AuthorizationClient:
    def __init__(self, base: str, *, token: str = "", subscription_key: str = "") -> None:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise AltinnError("ALTINN_AUTHORIZATION_URL is not an http(s) URL")
        self.url = f"{base.rstrip('/')}/authorization/api/v1/authorize"
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if subscription_key:
            self.session.headers["Ocp-Apim-Subscription-Key"] = subscription_key

    @staticmethod
    def request_body(*, person_id: str, org_number: str, resource: str, action: str) -> dict[str, Any]:
        def attribute(attribute_id: str, value: str) -> dict[str, str]:
            return {"AttributeId": attribute_id, "Value": value, "DataType": STRING}

        return {
            "Request": {
                "ReturnPolicyIdList": False,
                "AccessSubject": [{"Attribute": [attribute(PERSON_ID, person_id)]}],
                "Action": [{"Attribute": [attribute(ACTION, action)]}],
                "Resource": [{"Attribute": [attribute(RESOURCE, resource), attribute(ORGANISATION, org_number)]}],
            }
        }

    def decide(self, *, person_id: str, org_number: str, resource: str, action: str = "sign") -> Decision:
        body = self.request_body(person_id=person_id, org_number=org_number, resource=resource, action=action)
        try:
            response = self.session.post(self.url, json=body, timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException as exc:
            raise AltinnError(f"POST authorize: {exc.__class__.__name__}") from None
        if response.status_code != 200:
            raise AltinnError(f"POST authorize: HTTP {response.status_code}")
        try:
            answer = response.json()
            decision = str(answer["Response"][0]["Decision"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise AltinnError("POST authorize: unexpected answer") from None
        return Decision(permitted=decision == "Permit", decision=decision, raw=answer)

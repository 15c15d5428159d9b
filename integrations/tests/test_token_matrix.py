"""The API's authorization matrix: every operation × token kind × own/other/missing object.

Token kinds: ``read_only`` and ``read_write`` tokens of organisation A, the ``national`` read-only token,
and ``none`` (no token). Targets: A's object (own), B's object (other) and one that does not exist.
Outcomes follow the pages: outside the token's visibility 404, visible with a wrong kind 403, a
read-only token 403 on every write, no token 401. A test lists every operation of the schema, so a new
operation joins the matrix the day it is added. Every answer, under the production profile's header
settings, carries the security headers a page carries (T2) — a token's through the API's own middleware
stack, never stored and with no cookie; a call without a token through the browser stack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from integrations.api import api
from integrations.tests.conftest import ApiWorld
from tests.test_security_headers_every_route import header_problems, production_security  # noqa: F401

KINDS = ("read_only", "read_write", "national", "none")
ORG_TOKENS = {"read_only", "read_write"}
TARGETS = ("own", "other", "missing")
UNKNOWN_ORGNR = "974760673"  # valid MOD11, not in the world


@dataclass(frozen=True)
class Op:
    method: str
    url: Callable[[ApiWorld, str], str]
    expect: Callable[[str, str], int]
    body: dict[str, Any] | None = None
    targets: tuple[str, ...] = TARGETS


def _obj(name: str) -> Callable[[ApiWorld, str], int]:
    def pick(w: ApiWorld, target: str) -> int:
        return {"own": w.objects["A"], "other": w.objects["B"]}[target][name].pk if target != "missing" else 999_999

    return pick


def _orgnr(w: ApiWorld, target: str) -> str:
    return {"own": w.world.org_a.org_number, "other": w.world.org_b.org_number, "missing": UNKNOWN_ORGNR}[target]


def _auth(outcome: Callable[[str, str], int]) -> Callable[[str, str], int]:
    return lambda kind, target: 401 if kind == "none" else outcome(kind, target)


def _org_object(kind: str, target: str, ok: int = 200) -> int:
    """An organisation's own objects: the national token is refused (403) once it can see the object."""
    if kind in ORG_TOKENS:
        return ok if target == "own" else 404
    return 404 if target == "missing" else 403


def _write(ok: int) -> Callable[[str, str], int]:
    """Writes: read-only tokens (and the national one) 403 whatever the object; read-write per object."""
    return _auth(lambda k, t: 403 if k in ("read_only", "national") else _org_object(k, t, ok))


def _register_object(kind: str, target: str) -> int:
    """The member register: the national token sees every organisation; an organisation's token its own."""
    if target == "missing":
        return 404
    return 200 if kind == "national" or target == "own" else 404


order, advisory = _obj("order"), _obj("advisory")
OPS: dict[str, Op] = {
    "members_list": Op(
        "get", lambda w, t: "/api/v1/members/", _auth(lambda k, t: 200 if k == "national" else 403), targets=("-",)
    ),
    "member_lookup": Op("get", lambda w, t: f"/api/v1/members/{_orgnr(w, t)}", _auth(_register_object)),
    "member_authorisations": Op(
        "get", lambda w, t: f"/api/v1/members/{_orgnr(w, t)}/authorisations", _auth(_register_object)
    ),
    "services_list": Op("get", lambda w, t: "/api/v1/services/", _auth(lambda k, t: 200), targets=("-",)),
    "service_detail": Op(
        "get",
        lambda w, t: "/api/v1/services/" + ("helseid" if t == "own" else "no-such-service"),
        _auth(lambda k, t: 200 if t == "own" else 404),
        targets=("own", "missing"),
    ),
    "authorisations_list": Op(
        "get",
        lambda w, t: "/api/v1/authorisations/",
        _auth(lambda k, t: 200 if k == "national" else 403),
        targets=("-",),
    ),
    "orders_list": Op(
        "get", lambda w, t: "/api/v1/orders/", _auth(lambda k, t: 200 if k in ORG_TOKENS else 403), targets=("-",)
    ),
    "order_detail": Op("get", lambda w, t: f"/api/v1/orders/{order(w, t)}", _auth(_org_object)),
    "order_cancel": Op(
        "post", lambda w, t: f"/api/v1/orders/{order(w, t)}/cancel", _write(200), body={"reason": "Feil bestilling"}
    ),
    "order_comment": Op(
        "post", lambda w, t: f"/api/v1/orders/{order(w, t)}/comments", _write(201), body={"text": "Når kommer den?"}
    ),
    "advisories_list": Op(
        "get", lambda w, t: "/api/v1/advisories/", _auth(lambda k, t: 200 if k in ORG_TOKENS else 403), targets=("-",)
    ),
    # The national token is refused before the advisory is looked up: TLP is decided per organisation.
    "advisory_detail": Op(
        "get",
        lambda w, t: f"/api/v1/advisories/{advisory(w, t)}",
        _auth(lambda k, t: 403 if k == "national" else (200 if t == "own" else 404)),
    ),
    "advisory_acknowledge": Op(
        "put",
        lambda w, t: f"/api/v1/advisories/{advisory(w, t)}/acknowledgement",
        _auth(lambda k, t: 403 if k != "read_write" else (200 if t == "own" else 404)),
        body={"status": "handled", "comment": "Oppdatert."},
    ),
}


def test_every_operation_is_in_the_matrix() -> None:
    schema = api.get_openapi_schema()
    operations = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    assert operations == set(OPS)


def matrix_cells() -> int:
    return sum(len(KINDS) * len(op.targets) for op in OPS.values())


@pytest.mark.parametrize("name", sorted(OPS))
def test_operation(
    api_world: ApiWorld,
    client: Any,
    name: str,
    production_security: dict[str, Any],  # noqa: F811 - the fixture imported above
) -> None:
    op = OPS[name]
    mismatches = []
    for kind in KINDS:
        for target in op.targets:
            call = getattr(client, op.method)
            kwargs: dict[str, Any] = dict(api_world.auth(kind), secure=True)
            if op.body is not None:
                kwargs.update(data=op.body, content_type="application/json")
            with override_settings(**production_security):
                response = call(op.url(api_world, target), **kwargs)
            expected = op.expect(kind, target)
            if response.status_code != expected:
                mismatches.append(f"{name} {kind} {target}: expected {expected}, got {response.status_code}")
            elif expected >= 400:
                assert response["Content-Type"] == "application/problem+json", (name, kind, target)
            problems = header_problems(response, signed_in=kind != "none")
            if kind != "none" and response.cookies:
                problems.append(f"cookies {sorted(response.cookies)}")
            if problems:
                mismatches.append(f"{name} {kind} {target}: headers {', '.join(problems)}")
    assert not mismatches, "\n".join(mismatches)


def test_the_matrix_has_every_cell() -> None:
    assert matrix_cells() == 112  # 13 operations; 4 kinds × (1, 2 or 3 targets)

"""T2: security headers and cookies on every route of the project, for three roles (anonymous, member, staff).

The routes are the authorization matrix's (every URL pattern, every admin page, each with its targets),
so a new page is swept the day it joins the matrix. Each is fetched with GET over HTTPS with the
production profile's HSTS and cookie settings (read from a real production start-up), and every
response, whatever its status (200, redirect, 403, 404, 405), must carry:

- a strict Content-Security-Policy (``frame-ancestors 'none'``, no ``unsafe-inline``/``unsafe-eval``),
- ``Strict-Transport-Security`` of at least a year with ``includeSubDomains``,
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``,
  ``Cross-Origin-Opener-Policy: same-origin`` and a ``Permissions-Policy`` that turns off powerful features,
- ``Cache-Control: no-store`` (and ``private``) whenever someone is signed in,
- cookies set with ``Secure``, ``HttpOnly`` (session and CSRF), ``SameSite`` and the ``__Host-`` prefix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from http.cookies import Morsel
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from conftest import World
from core.tests.test_settings import PROD
from tests.test_authorization_matrix import ROUTES, _admin_routes, fast_documents, full_world  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("anonymous", "member_a", "system_admin")
PRODUCTION_SECURITY = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
)


@pytest.fixture(scope="module")
def production_security() -> dict[str, Any]:
    """The header and cookie settings as the production profile has them (a fresh interpreter, as at start)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_ENV", "DEBUG"}}
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(PRODUCTION_SECURITY)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **PROD},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_production_sends_hsts_for_a_year_with_subdomains_and_host_only_secure_cookies(
    production_security: dict[str, Any],
) -> None:
    assert production_security["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_security["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_security["SESSION_COOKIE_SECURE"] is True and production_security["CSRF_COOKIE_SECURE"] is True
    assert production_security["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production_security["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert (
        production_security["SESSION_COOKIE_HTTPONLY"] is True and production_security["CSRF_COOKIE_HTTPONLY"] is True
    )
    assert production_security["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}


def header_problems(response: Any, *, signed_in: bool) -> list[str]:
    """What is missing or weak in one response's security headers and cookies (empty when all is well)."""
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or not ("default-src 'self'" in csp or "default-src 'none'" in csp):
        problems.append("Content-Security-Policy")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("Content-Security-Policy unsafe")
    hsts = response.get("Strict-Transport-Security", "")
    max_age = next((int(p.split("=")[1]) for p in hsts.split(";") if p.strip().startswith("max-age=")), 0)
    if max_age < 31_536_000 or "includeSubDomains" not in hsts:
        problems.append("Strict-Transport-Security")
    for header, value in [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]:
        if response.get(header) != value:
            problems.append(header)
    permissions = response.get("Permissions-Policy", "")
    if not all(f"{feature}=()" in permissions for feature in ("camera", "microphone", "geolocation", "payment")):
        problems.append("Permissions-Policy")
    if signed_in:
        cache = response.get("Cache-Control", "")
        if "no-store" not in cache or "private" not in cache:
            problems.append("Cache-Control no-store")
    for name, morsel in response.cookies.items():
        problems += cookie_problems(name, morsel)
    return problems


def cookie_problems(name: str, morsel: Morsel[str]) -> list[str]:
    if not morsel.value and morsel["max-age"] == 0:
        return []  # a deletion
    problems = []
    if not morsel["secure"]:
        problems.append(f"cookie {name} Secure")
    if not morsel["samesite"]:
        problems.append(f"cookie {name} SameSite")
    if name.startswith("__Host-") is False and name in {"sessionid", "csrftoken"}:
        problems.append(f"cookie {name} __Host-")
    if ("session" in name or "csrf" in name) and not morsel["httponly"]:
        problems.append(f"cookie {name} HttpOnly")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_route_sends_the_security_headers(
    full_world: World,  # noqa: F811 - the matrix's fixture
    production_security: dict[str, Any],
    role: str,
) -> None:
    world = full_world
    client = Client()
    routes = {**ROUTES, **_admin_routes(world)}
    missing: Counter[str] = Counter()
    where: list[str] = []
    checked = 0
    with override_settings(**production_security):
        if role != "anonymous":  # under the production cookie names
            client.force_login(world[role], backend="accounts.backends.PortalBackend")
        for name, route in sorted(routes.items()):
            for target in route.targets:
                response = client.get(route.url(world, target), secure=True)
                checked += 1
                problems = header_problems(response, signed_in=role != "anonymous")
                missing.update(problems)
                if problems:
                    where.append(f"{name}[{target}] ({response.status_code}): {', '.join(problems)}")
    print(f"T2 {role}: {checked} responses checked, missing per header {dict(missing)}")
    assert checked >= len(routes)
    assert not where, f"{len(where)} of {checked} responses lack headers:\n" + "\n".join(where[:40])

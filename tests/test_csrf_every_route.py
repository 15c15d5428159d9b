"""T15: CSRF on every route. A signed-in user's browser that POSTs without the CSRF token (another site's
form) is refused with the portal's CSRF page (403) on every route of the authorization matrix and every
admin page, and the database is unchanged afterwards. The only views exempt from the check are the
token-authenticated API's (no cookie authenticates there, so another site cannot ride a session).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import World
from tests.test_authorization_matrix import ROUTES, _admin_routes, fast_documents, full_world  # noqa: F401

ROLES = ("member_a", "system_admin")
TOKEN_API_PREFIX = "/api/"


def database_fingerprint() -> dict[str, str]:
    """A digest of every row of every table (sessions and the rate-limit/lockout bookkeeping excluded)."""
    skip = {"sessions.session", "axes.accessattempt", "axes.accesslog"}
    digests = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digests[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def _exempt_views() -> list[str]:
    """Every URL pattern whose view skips the CSRF check, with its route."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
                found.append("/" + prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def test_only_the_token_api_is_exempt_from_the_csrf_check() -> None:
    exempt = _exempt_views()
    outside = [route for route in exempt if not route.startswith(TOKEN_API_PREFIX)]
    print(f"T15 exempt views: {len(exempt)}, outside the token API: {outside}")
    assert exempt, "the API's views are expected to be exempt: has the enumeration broken?"
    assert not outside


def test_the_token_api_takes_no_session_so_a_cross_site_post_changes_nothing(
    full_world: World,  # noqa: F811 - the matrix's fixture
) -> None:
    """The API is exempt from the CSRF check only because a cookie never authenticates there."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(full_world["superuser"], backend="accounts.backends.PortalBackend")
    urls = [
        (f"{name}[{target}]", route.url(full_world, target))
        for name, route in sorted(ROUTES.items())
        for target in route.targets
    ]
    api = [(label, url) for label, url in urls if url.startswith(TOKEN_API_PREFIX)]
    before = database_fingerprint()
    for label, url in api:
        response = client.post(url, data="{}", content_type="application/json")
        assert response.status_code in {401, 403, 404, 405}, f"{label}: {response.status_code}"
    api_posts = len(api)
    assert api_posts > 0
    assert database_fingerprint() == before


@pytest.mark.parametrize("role", ROLES)
def test_every_route_refuses_a_post_without_a_csrf_token_and_changes_nothing(
    full_world: World,  # noqa: F811 - the matrix's fixture
    role: str,
) -> None:
    world = full_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(world[role], backend="accounts.backends.PortalBackend")
    routes = {**ROUTES, **_admin_routes(world)}
    urls = [
        (f"{name}[{target}]", route.url(world, target))
        for name, route in sorted(routes.items())
        for target in route.targets
    ]  # built first: some route builders create the object they point at
    before = database_fingerprint()
    violations, posted = [], 0
    for label, url in urls:
        if url.startswith(TOKEN_API_PREFIX):
            continue  # the token API: the test above
        posted += 1
        response = client.post(url, {"name": "x", "confirm": "on", "language": "en"})
        templates = {template.name for template in response.templates}
        if response.status_code != 403 or "errors/csrf.html" not in templates:
            violations.append(f"{label}: {response.status_code}")
    after = database_fingerprint()
    changed = sorted(table for table in before if before[table] != after.get(table))
    print(
        f"T15 {role}: {posted} routes POSTed to without a token, violations {len(violations)}, tables changed {changed}"
    )
    assert posted >= len(routes) - 20
    assert not violations, "\n".join(violations)
    assert not changed, f"a refused POST changed: {changed}"

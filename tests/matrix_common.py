"""What every part of the authorization matrix shares: outcomes, personas' reach, and Route.

Each app's routes live in ``tests/matrix_routes/<app>.py`` (a ``ROUTES`` dict, and optionally a
``READ_ONLY_ADMIN`` set of admin model keys whose add/delete must answer 403); the matrix test
collects them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conftest import World

LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"
STAFF = {"membership_manager", "customer_centre", "cert_analyst", "system_admin", "superuser"}
TERMS_MANAGERS = {"membership_manager", "system_admin", "superuser"}
AGREEMENT_STAFF = {"membership_manager", "customer_centre", "system_admin", "superuser"}
ROLE_MANAGERS_STAFF = {"membership_manager", "system_admin", "superuser"}
ADMIN_SITE_STAFF = {"membership_manager", "customer_centre", "system_admin", "superuser"}
SIGNED_OUT = {"anonymous", "deactivated_a"}
VISIBLE = {"member_a": {"A"}, "admin_a": {"A"}, "admin_b": {"B"}, "coordinator_a": {"A"}}
TARGETS = ("A", "B", "missing")


@dataclass(frozen=True)
class Route:
    url: Callable[[World, str], str]
    expect: Callable[[str, str], Any]
    method: str = "get"
    targets: tuple[str, ...] = ("-",)


def _org(world: World, target: str) -> int:
    return {"A": world.org_a.pk, "B": world.org_b.pk, "missing": 999_999}[target]


def _signed_in(outcome: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    return lambda role, target: LOGIN if role in SIGNED_OUT else outcome(role, target)


def _visible(role: str, target: str) -> bool:
    return target != "missing" and (role in STAFF or target in VISIBLE.get(role, set()))


def _org_action(allowed: Callable[[str, str], bool]) -> Callable[[str, str], Any]:
    """Outsiders 404, a visible object with a wrong role 403, else ``allowed`` decides 200 or 403."""
    return _signed_in(lambda r, t: 404 if not _visible(r, t) else (200 if allowed(r, t) else 403))


# Public names for the per-app route modules.
org_id = _org
signed_in = _signed_in
visible = _visible
org_action = _org_action

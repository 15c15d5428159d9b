"""The authorization matrix: every URL of the project × every persona × own/other/missing object.

Each route is listed in ROUTES (or matched by the admin rules) with the outcome each persona must
get. A URL pattern that is neither listed nor matched fails ``test_every_route_is_in_the_matrix``,
so a new page joins the matrix the day it is added.

Outcomes: 200/400/403/404/405 are status codes; LOGIN is a redirect to the portal's login page;
ADMIN_LOGIN a redirect to the admin's; REDIRECT any other redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES_FOR_MATRIX, World
from core.roles import OrganisationRoleType
from organisations.tests.factories import UserFactory
from tests.matrix_common import (  # noqa: F401 - shared vocabulary of the matrix
    ADMIN_LOGIN,
    ADMIN_SITE_STAFF,
    AGREEMENT_STAFF,
    LOGIN,
    REDIRECT,
    ROLE_MANAGERS_STAFF,
    SIGNED_OUT,
    STAFF,
    TARGETS,
    TERMS_MANAGERS,
    VISIBLE,
    Route,
    _org,
    _org_action,
    _signed_in,
    _visible,
)


def _manage_roles(role: str, target: str) -> int:
    if not _visible(role, target):
        return 404
    if role in ROLE_MANAGERS_STAFF or (role, target) in {("admin_a", "A"), ("admin_b", "B")}:
        return 400  # allowed: the empty form is rejected with a clear message, nothing stored
    return 403


def _revoke_url(world: World, target: str) -> str:
    org = {"A": world.org_a, "B": world.org_b}.get(target)
    role_pk = 999_999
    if org is not None:
        grant = org.roles.create(user=UserFactory(), role=OrganisationRoleType.SECURITY_CONTACT)
        role_pk = grant.pk
    return reverse("organisations:role_revoke", args=[_org(world, target), role_pk])


def _revoke(role: str, target: str) -> int | str:
    outcome = _manage_roles(role, target)
    return REDIRECT if outcome == 400 else outcome


ROUTES: dict[str, Route] = {
    "dashboards:home": Route(lambda w, t: reverse("dashboards:home"), _signed_in(lambda r, t: 200)),
    "core:help": Route(lambda w, t: reverse("core:help"), lambda r, t: 200),
    "accounts:login": Route(lambda w, t: reverse("accounts:login"), lambda r, t: 200 if r in SIGNED_OUT else REDIRECT),
    "accounts:logout": Route(lambda w, t: reverse("accounts:logout"), lambda r, t: LOGIN, method="post"),
    "accounts:password_change": Route(lambda w, t: reverse("accounts:password_change"), _signed_in(lambda r, t: 200)),
    "accounts:password_change_done": Route(
        lambda w, t: reverse("accounts:password_change_done"), _signed_in(lambda r, t: 200)
    ),
    "accounts:email": Route(lambda w, t: reverse("accounts:email"), _signed_in(lambda r, t: 200)),
    # Without a valid link: back to the e-mail page with a message, nothing changed.
    "accounts:email_confirm": Route(lambda w, t: reverse("accounts:email_confirm"), _signed_in(lambda r, t: REDIRECT)),
    "set_language": Route(lambda w, t: reverse("set_language"), lambda r, t: REDIRECT, method="post"),
    "organisations:organisation_list": Route(
        lambda w, t: reverse("organisations:organisation_list"),
        _signed_in(lambda r, t: 200 if r in STAFF or r == "coordinator_a" else 403),
    ),
    "organisations:organisation_detail": Route(
        lambda w, t: reverse("organisations:organisation_detail", args=[_org(w, t)]),
        _signed_in(lambda r, t: 200 if _visible(r, t) else 404),
        targets=TARGETS,
    ),
    "organisations:role_grant": Route(
        lambda w, t: reverse("organisations:role_grant", args=[_org(w, t)]),
        _signed_in(_manage_roles),
        method="post",
        targets=TARGETS,
    ),
    "organisations:role_revoke": Route(_revoke_url, _signed_in(_revoke), method="post", targets=TARGETS),
    # Who outside the organisation opened its data: its administrators and NHN's system administrators.
    "organisations:access_log": Route(
        lambda w, t: reverse("organisations:access_log", args=[_org(w, t)]),
        _signed_in(
            lambda r, t: (
                404
                if not _visible(r, t)
                else (
                    200 if r in {"system_admin", "superuser"} or (r, t) in {("admin_a", "A"), ("admin_b", "B")} else 403
                )
            )
        ),
        targets=TARGETS,
    ),
}


def _delegated_grant_url(world: World, target: str) -> str:
    org = {"A": world.org_a, "B": world.org_b}.get(target)
    role_pk = 999_999
    if org is not None:
        import datetime as dt

        grant = org.roles.create(
            user=UserFactory(),
            role=OrganisationRoleType.SIGNATORY,
            signatory_basis="delegated",
            valid_until=dt.date(2099, 1, 1),
            granted_by=world["admin_a"],
        )
        role_pk = grant.pk
    return reverse("memberships:delegation_revoke", args=[_org(world, target), role_pk])


def _signature(world: World, target: str) -> int:
    return world.extra["signatures"][target].pk if target in ("A", "B") else 999_999


def _own_right_signatory(role: str, target: str) -> bool:
    return role == "admin_a" and target == "A"  # the general manager of A; nobody holds B's own right


MEMBERSHIP_ROUTES: dict[str, Route] = {
    "memberships:terms_list": Route(
        lambda w, t: reverse("memberships:terms_list"), _signed_in(lambda r, t: 200 if r in TERMS_MANAGERS else 403)
    ),
    "memberships:terms_create": Route(
        lambda w, t: reverse("memberships:terms_create"), _signed_in(lambda r, t: 200 if r in TERMS_MANAGERS else 403)
    ),
    "memberships:terms_detail": Route(
        lambda w, t: reverse("memberships:terms_detail", args=[getattr(w.extra["terms"], t).pk]),
        _signed_in(lambda r, t: 200 if t == "published" or r in TERMS_MANAGERS else 404),
        targets=("published", "draft"),
    ),
    "memberships:terms_pdf": Route(
        lambda w, t: reverse("memberships:terms_pdf", args=[getattr(w.extra["terms"], t).pk]),
        _signed_in(lambda r, t: 200 if t == "published" or r in TERMS_MANAGERS else 404),
        targets=("published", "draft"),
    ),
    "memberships:terms_edit": Route(
        lambda w, t: reverse("memberships:terms_edit", args=[w.extra["terms"].draft.pk]),
        _signed_in(lambda r, t: 200 if r in TERMS_MANAGERS else 403),
    ),
    "memberships:terms_publish": Route(
        lambda w, t: reverse("memberships:terms_publish", args=[w.extra["terms"].draft.pk]),
        # allowed: the unconfirmed form is refused with its message (publishing needs the tick), nothing stored
        _signed_in(lambda r, t: 400 if r in TERMS_MANAGERS else 403),
        method="post",
    ),
    "memberships:terms_progress": Route(
        lambda w, t: reverse("memberships:terms_progress", args=[getattr(w.extra["terms"], t).pk]),
        _signed_in(lambda r, t: (200 if t == "published" else 404) if r in TERMS_MANAGERS else 403),
        targets=("published", "draft"),
    ),
    "memberships:sign": Route(
        lambda w, t: reverse("memberships:sign", args=[_org(w, t)]),
        _org_action(lambda r, t: r == "admin_a" and t == "A"),
        targets=TARGETS,
    ),
    "memberships:delegation_create": Route(
        lambda w, t: reverse("memberships:delegation_create", args=[_org(w, t)]),
        _org_action(_own_right_signatory),
        targets=TARGETS,
    ),
    "memberships:delegation_revoke": Route(
        _delegated_grant_url,
        _signed_in(
            lambda r, t: (
                404
                if not _visible(r, t)
                else REDIRECT
                if _own_right_signatory(r, t) or r in ROLE_MANAGERS_STAFF
                else 403
            )
        ),
        method="post",
        targets=TARGETS,
    ),
    "memberships:signed": Route(
        lambda w, t: reverse("memberships:signed", args=[_signature(w, t)]),
        _org_action(lambda r, t: r in AGREEMENT_STAFF or (r, t) in {("admin_a", "A"), ("admin_b", "B")}),
        targets=TARGETS,
    ),
    "memberships:signature_pdf": Route(
        lambda w, t: reverse("memberships:signature_pdf", args=[_signature(w, t)]),
        _org_action(lambda r, t: r in AGREEMENT_STAFF or (r, t) in {("admin_a", "A"), ("admin_b", "B")}),
        targets=TARGETS,
    ),
    "memberships:audit_certificate": Route(
        lambda w, t: reverse("memberships:audit_certificate", args=[_signature(w, t)]),
        _org_action(lambda r, t: r in AGREEMENT_STAFF),
        targets=TARGETS,
    ),
    "memberships:verify": Route(lambda w, t: reverse("memberships:verify"), lambda r, t: 200),
    "memberships:membership_terminate": Route(
        lambda w, t: reverse("memberships:membership_terminate", args=[_org(w, t)]),
        _org_action(lambda r, t: r in TERMS_MANAGERS),
        targets=TARGETS,
    ),
}
ROUTES.update(MEMBERSHIP_ROUTES)

STATUS_VIEWERS = STAFF | {"coordinator_a"}
STATUS_ROUTES: dict[str, Route] = {
    "dashboards:status": Route(
        lambda w, t: reverse("dashboards:status"), _signed_in(lambda r, t: 200 if r in STATUS_VIEWERS else 403)
    ),
    "dashboards:missing": Route(
        lambda w, t: reverse("dashboards:missing"), _signed_in(lambda r, t: 200 if r in STATUS_VIEWERS else 403)
    ),
    "dashboards:missing_csv": Route(
        lambda w, t: reverse("dashboards:missing_csv"), _signed_in(lambda r, t: 200 if r in STATUS_VIEWERS else 403)
    ),
    "dashboards:remind": Route(
        lambda w, t: reverse("dashboards:remind", args=[_org(w, t)]),
        _signed_in(lambda r, t: 404 if not _visible(r, t) else (404 if r in TERMS_MANAGERS else 403)),
        method="post",
        targets=TARGETS,
    ),
    "dashboards:remind_everyone": Route(
        lambda w, t: reverse("dashboards:remind_everyone") + f"?version={w.extra['terms'].published.pk}",
        _signed_in(lambda r, t: 200 if r in TERMS_MANAGERS else 403),
    ),
    "dashboards:public_status": Route(lambda w, t: reverse("dashboards:public_status"), lambda r, t: 200),
    "dashboards:status_json": Route(lambda w, t: reverse("dashboards:status_json"), lambda r, t: 200),
}
ROUTES.update(STATUS_ROUTES)


def _app_route_modules() -> list[Any]:
    """Every ``tests/matrix_routes/<app>.py``: each app's pages join the matrix from its own file."""
    import importlib
    import pkgutil

    import tests.matrix_routes as package

    return [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


for _module in _app_route_modules():
    ROUTES.update(_module.ROUTES)

# --- The Django admin: every registered model's pages, decided by the same policy. -------------

ADMIN_VIEWS = {"changelist": "view", "change": "view", "history": "view", "add": "write", "delete": "write"}
RESTRICTED = {"accounts_user"}
# Read-only in the admin: changes go through services (or, for audit events, never happen).
READ_ONLY = {
    "core_auditevent",
    "django_tasks_database_dbtaskresult",
    "core_outboundemail",
    "memberships_termsversion",
    "memberships_membership",
    "memberships_membershiptransition",
    "memberships_signature",
}
for _module in _app_route_modules():
    READ_ONLY |= set(getattr(_module, "READ_ONLY_ADMIN", ()))


def _admin_expect(kind: str, model_key: str) -> Callable[[str, str], Any]:
    def outcome(role: str, target: str) -> Any:
        if role not in ADMIN_SITE_STAFF:
            return ADMIN_LOGIN
        writer = role in {"system_admin", "superuser"}
        if kind == "app_list" and model_key in RESTRICTED:
            return 200 if writer else 404  # an app with no model the user may see does not exist for them
        if kind in {"index", "app_list", "password_change", "password_change_done", "jsi18n"}:
            return 200
        if kind == "logout":
            return REDIRECT
        if kind == "autocomplete":
            return 403  # no field named in the request: refused
        if kind in {"view_on_site", "catch_all"}:
            return 404
        if model_key in READ_ONLY and ADMIN_VIEWS[kind] == "write":
            return 403
        if model_key in RESTRICTED or ADMIN_VIEWS[kind] == "write":
            return 200 if writer else 403
        return 200

    return outcome


def _admin_routes(world: World) -> dict[str, Route]:
    routes: dict[str, Route] = {
        "admin:index": Route(lambda w, t: reverse("admin:index"), _admin_expect("index", "")),
        "admin:login": Route(
            lambda w, t: reverse("admin:login"), lambda r, t: 200 if r not in ADMIN_SITE_STAFF else REDIRECT
        ),
        "admin:logout": Route(
            lambda w, t: reverse("admin:logout"),
            lambda r, t: REDIRECT if r in ADMIN_SITE_STAFF else ADMIN_LOGIN,
            method="post",
        ),
        "admin:password_change": Route(
            lambda w, t: reverse("admin:password_change"), _admin_expect("password_change", "")
        ),
        "admin:password_change_done": Route(
            lambda w, t: reverse("admin:password_change_done"), _admin_expect("password_change_done", "")
        ),
        "admin:jsi18n": Route(lambda w, t: reverse("admin:jsi18n"), _admin_expect("jsi18n", "")),
        "admin:autocomplete": Route(lambda w, t: reverse("admin:autocomplete"), _admin_expect("autocomplete", "")),
        "admin:view_on_site": Route(
            lambda w, t: reverse("admin:view_on_site", args=[1, 1]), _admin_expect("view_on_site", "")
        ),
        "admin:<catch-all>": Route(lambda w, t: "/admin/no-such-page/", _admin_expect("catch_all", "")),
    }
    for model, _model_admin in admin.site._registry.items():
        key = f"{model._meta.app_label}_{model._meta.model_name}"
        routes[f"admin:app_list[{model._meta.app_label}]"] = Route(
            lambda w, t, label=model._meta.app_label: reverse("admin:app_list", args=[label]),
            _admin_expect("app_list", key),
        )
        for kind in ADMIN_VIEWS:

            def url(w: World, t: str, model: Any = model, key: str = key, kind: str = kind) -> str:
                if kind in {"changelist", "add"}:
                    return reverse(f"admin:{key}_{kind}")
                obj = model.objects.order_by("pk").first()
                return reverse(f"admin:{key}_{kind}", args=[obj.pk])

            routes[f"admin:{key}_{kind}"] = Route(url, _admin_expect(kind, key))
    # UserAdmin names its password page after django.contrib.auth, whatever the user model.
    routes["admin:auth_user_password_change"] = Route(
        lambda w, t: reverse("admin:auth_user_password_change", args=[w["member_a"].pk]),
        _admin_expect("change", "accounts_user"),
    )
    return routes


def _all_pattern_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<catch-all>")

    walk(get_resolver().url_patterns, "")
    return names


def _outcome(response: Any) -> Any:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        return REDIRECT
    return response.status_code


def test_every_route_is_in_the_matrix(world: World) -> None:
    known = {name.split("[")[0] for name in ROUTES} | {name.split("[")[0] for name in _admin_routes(world)}
    unknown = sorted(_all_pattern_names() - known)
    assert not unknown, f"URL patterns missing from the authorization matrix: {unknown}"


@pytest.fixture(autouse=True)
def fast_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix checks who may reach what, not PDFs: skip rendering and sealing (memberships' own
    tests cover those), which would otherwise dominate its runtime."""
    import itertools

    serial = itertools.count()
    monkeypatch.setattr("memberships.documents.agreement_pdf", lambda **kwargs: b"%PDF-1.7 matrix\n")
    monkeypatch.setattr(
        "memberships.documents.seal", lambda document, *, reason: document + f"%{next(serial)}\n".encode()
    )


@pytest.fixture
def full_world(world: World, terms: Any, signatures: dict[str, Any]) -> World:
    """The world with an object of every model the admin shows: terms, signatures, a queued e-mail and a job."""
    from core.models import OutboundEmail
    from core.tasks import deliver_email

    OutboundEmail.objects.create(key="matrix", to="x@example.no", subject="Emne", body_text="Tekst")
    deliver_email.enqueue(0)
    world.extra = {"terms": terms, "signatures": signatures}
    # Each app's route module may add an object of each of its admin models (``seed_world(world)``).
    for module in _app_route_modules():
        if seed := getattr(module, "seed_world", None):
            seed(world)
    return world


@pytest.mark.parametrize("role", ROLES_FOR_MATRIX)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_portal_route(full_world: World, client: Any, name: str, role: str) -> None:
    world = full_world
    route = ROUTES[name]
    if role != "anonymous":
        client.force_login(world[role], backend="accounts.backends.PortalBackend")
    mismatches = []
    for target in route.targets:
        response = getattr(client, route.method)(route.url(world, target))
        expected, got = route.expect(role, target), _outcome(response)
        if got != expected:
            mismatches.append(f"{name} as {role} on {target}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("role", ROLES_FOR_MATRIX)
def test_admin_routes(full_world: World, client: Any, role: str) -> None:
    world = full_world
    if role != "anonymous":
        client.force_login(world[role], backend="accounts.backends.PortalBackend")
    mismatches = []
    for name, route in sorted(_admin_routes(world).items()):
        if name == "admin:logout":
            continue  # logging out would end the session for the rest of this loop; ROUTES-style check below
        response = getattr(client, route.method)(route.url(world, "-"))
        expected, got = route.expect(role, "-"), _outcome(response)
        if got != expected:
            mismatches.append(f"{name} as {role}: expected {expected}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_admin_user_password_change_is_system_admin_only(world: World, client: Any) -> None:
    url = reverse("admin:auth_user_password_change", args=[world["member_a"].pk])
    for role, expected in [("customer_centre", 403), ("membership_manager", 403), ("system_admin", 200)]:
        client.force_login(world[role], backend="accounts.backends.PortalBackend")
        assert client.get(url).status_code == expected, role


@pytest.mark.parametrize("name", [n for n, r in ROUTES.items() if r.method == "post" and n.startswith("organisations")])
def test_state_changing_routes_refuse_get(world: World, client: Any, name: str) -> None:
    client.force_login(world["system_admin"], backend="accounts.backends.PortalBackend")
    assert client.get(ROUTES[name].url(world, "A")).status_code == 405

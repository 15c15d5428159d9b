"""The orders app in the authorization matrix (issue 4): the customer centre's queue and an order's page
and actions. The orders themselves are made by tests/matrix_routes/services.py ``seed_world``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import World
from tests.matrix_common import STAFF, TARGETS, Route, org_action, signed_in, visible

READ_ONLY_ADMIN = {"orders_order"}

# ORDER_HANDLE: who works the queue (superusers count as system administrators).
HANDLERS = {"customer_centre", "membership_manager", "system_admin", "superuser"}
# Every role in the order's organisation (ORDER_VIEW), and its signatories and administrators
# (ORDER_CANCEL, ORDER_COMMENT).
ORG_ROLES = {("member_a", "A"), ("admin_a", "A"), ("admin_b", "B")}
SIGNERS_AND_ADMINS = {("admin_a", "A"), ("admin_b", "B")}


def _order(world: World, target: str) -> int:
    return world.extra["services"][target]["order"].pk if target in ("A", "B") else 999_999


def _url(name: str) -> Any:
    return lambda w, t: reverse(f"orders:{name}", args=[_order(w, t)])


def _post(allowed: Any, ok: Any) -> Any:
    """Outsiders 404, a visible order with a wrong role 403; allowed: ``ok`` (400 for an empty form)."""
    return signed_in(lambda r, t: 404 if not visible(r, t) else (ok if allowed(r, t) else 403))


ROUTES: dict[str, Route] = {
    "orders:queue": Route(lambda w, t: reverse("orders:queue"), signed_in(lambda r, t: 200 if r in HANDLERS else 403)),
    "orders:order_detail": Route(
        _url("order_detail"), org_action(lambda r, t: r in STAFF or (r, t) in ORG_ROLES), targets=TARGETS
    ),
    # An empty move is refused with a message (400); an empty assignment is "nobody", already so (redirect).
    "orders:order_transition": Route(
        _url("order_transition"), _post(lambda r, t: r in HANDLERS, 400), method="post", targets=TARGETS
    ),
    "orders:order_assign": Route(
        _url("order_assign"), _post(lambda r, t: r in HANDLERS, "redirect"), method="post", targets=TARGETS
    ),
    "orders:order_comment": Route(
        _url("order_comment"),
        _post(lambda r, t: r in HANDLERS or (r, t) in SIGNERS_AND_ADMINS, 400),
        method="post",
        targets=TARGETS,
    ),
    "orders:order_cancel": Route(
        _url("order_cancel"), _post(lambda r, t: (r, t) in SIGNERS_AND_ADMINS, 400), method="post", targets=TARGETS
    ),
}

"""The integrations app in the authorization matrix (issue 17): an organisation's token and webhook pages,
and the API seen with a session (the API answers tokens only: 401 for every persona, however signed in).
The API × token kind × own/other/missing matrix is integrations/tests/test_token_matrix.py."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from conftest import World
from tests.matrix_common import LOGIN, REDIRECT, ROLE_MANAGERS_STAFF, SIGNED_OUT, TARGETS, Route, org_id, visible


def seed_world(world: World) -> None:
    """A token, a webhook endpoint and a delivery for A and B."""
    from integrations.models import WebhookDelivery
    from integrations.services import api_token_create, webhook_endpoint_create

    objects: dict[str, dict[str, Any]] = {}
    for target, org, admin in (("A", world.org_a, world["admin_a"]), ("B", world.org_b, world["admin_b"])):
        token, _secret = api_token_create(actor=admin, organisation=org, description=f"Matrix {target}")
        endpoint, _secret = webhook_endpoint_create(
            actor=admin, organisation=org, url="http://127.0.0.1:9/hook", event_types=["order.changed"]
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, message_id=f"msg_matrix_{target}", event_type="order.changed", payload={}
        )
        objects[target] = {"token": token, "endpoint": endpoint, "delivery": delivery}
    world.extra["integrations"] = objects


def _obj(world: World, target: str, name: str) -> int:
    return world.extra["integrations"][target][name].pk if target in ("A", "B") else 999_999


def _manager(role: str, target: str) -> bool:
    """API_TOKENS_MANAGE: the registry's staff, and the organisation's administrators."""
    return role in ROLE_MANAGERS_STAFF or (role, target) in {("admin_a", "A"), ("admin_b", "B")}


def _page(ok: Any) -> Any:
    return lambda r, t: LOGIN if r in SIGNED_OUT else (404 if not visible(r, t) else (ok if _manager(r, t) else 403))


def _api(name: str, *args: Any) -> Any:
    return lambda w, t: reverse(f"api-v1:{name}", args=args)


API_NEEDS_TOKEN = {
    "api-v1:members_list": _api("members_list"),
    "api-v1:services_list": _api("services_list"),
    "api-v1:service_detail": _api("service_detail", "helseid"),
    "api-v1:authorisations_list": _api("authorisations_list"),
    "api-v1:orders_list": _api("orders_list"),
    "api-v1:advisories_list": _api("advisories_list"),
}

ROUTES: dict[str, Route] = {
    "integrations:token_list": Route(
        lambda w, t: reverse("integrations:token_list", args=[org_id(w, t)]), _page(200), targets=TARGETS
    ),
    "integrations:token_revoke": Route(
        lambda w, t: reverse("integrations:token_revoke", args=[org_id(w, t), _obj(w, t, "token")]),
        _page(REDIRECT),
        method="post",
        targets=TARGETS,
    ),
    "integrations:webhook_list": Route(
        lambda w, t: reverse("integrations:webhook_list", args=[org_id(w, t)]), _page(200), targets=TARGETS
    ),
    "integrations:webhook_detail": Route(
        lambda w, t: reverse("integrations:webhook_detail", args=[org_id(w, t), _obj(w, t, "endpoint")]),
        _page(200),
        targets=TARGETS,
    ),
    "integrations:delivery_replay": Route(
        lambda w, t: reverse(
            "integrations:delivery_replay", args=[org_id(w, t), _obj(w, t, "endpoint"), _obj(w, t, "delivery")]
        ),
        _page(REDIRECT),
        method="post",
        targets=TARGETS,
    ),
    # The schema and the docs: a signed-in person (or a token), never the public.
    "api-v1:openapi-json": Route(
        lambda w, t: reverse("api-v1:openapi-json"), lambda r, t: LOGIN if r in SIGNED_OUT else 200
    ),
    "api-v1:openapi-view": Route(
        lambda w, t: reverse("api-v1:openapi-view"), lambda r, t: LOGIN if r in SIGNED_OUT else 200
    ),
    "api-v1:api-root": Route(lambda w, t: reverse("api-v1:api-root"), lambda r, t: 404),
    "api-v1:member_lookup": Route(lambda w, t: reverse("api-v1:member_lookup", args=["974760673"]), lambda r, t: 401),
    "api-v1:member_authorisations": Route(
        lambda w, t: reverse("api-v1:member_authorisations", args=["974760673"]), lambda r, t: 401
    ),
    "api-v1:order_detail": Route(lambda w, t: reverse("api-v1:order_detail", args=[1]), lambda r, t: 401),
    "api-v1:order_cancel": Route(
        lambda w, t: reverse("api-v1:order_cancel", args=[1]), lambda r, t: 401, method="post"
    ),
    "api-v1:order_comment": Route(
        lambda w, t: reverse("api-v1:order_comment", args=[1]), lambda r, t: 401, method="post"
    ),
    "api-v1:advisory_detail": Route(lambda w, t: reverse("api-v1:advisory_detail", args=[1]), lambda r, t: 401),
    "api-v1:advisory_acknowledge": Route(
        lambda w, t: reverse("api-v1:advisory_acknowledge", args=[1]), lambda r, t: 401, method="put"
    ),
    **{name: Route(url, lambda r, t: 401) for name, url in API_NEEDS_TOKEN.items()},
}

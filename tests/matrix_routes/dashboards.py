"""The dashboards app's newer status pages in the authorization matrix (issue 5: map, XLSX, PDF reports).

The first status routes (status, missing, missing_csv, remind, public_status, status_json) stay in
tests/test_authorization_matrix.py STATUS_ROUTES.
"""

from __future__ import annotations

from django.urls import reverse

from conftest import World
from tests.matrix_common import REDIRECT, STAFF, Route, signed_in, visible

STATUS_VIEWERS = STAFF | {"coordinator_a"}


def _viewer(role: str, target: str) -> int:
    return 200 if role in STATUS_VIEWERS else 403


def _report_url(world: World, target: str) -> str:
    network = {"A": world.municipality_a.diginettverk_id, "B": world.municipality_b.diginettverk_id}.get(
        target, 999_999
    )
    return reverse("dashboards:status_report", args=["diginettverk", str(network)])


def _report(role: str, target: str) -> int:
    """Members 403; a network that does not exist 404; a coordinator another network 404 (not 403:
    the report would tell that the network has municipalities they may not see)."""
    if role not in STATUS_VIEWERS:
        return 403
    if target == "missing" or (role == "coordinator_a" and target != "A"):
        return 404
    return 200


def _find_url(world: World, target: str) -> str:
    """The header search for an organisation's number: one step to its page for whoever may see it."""
    number = {"A": world.org_a.org_number, "B": world.org_b.org_number, "missing": "999999999"}[target]
    return reverse("dashboards:find") + f"?q={number}"


def _find(role: str, target: str) -> int:
    """Staff and coordinators search; a number they may see opens it (302), any other lists nothing."""
    if role not in STATUS_VIEWERS:
        return 403
    return REDIRECT if visible(role, target) else 200


ROUTES: dict[str, Route] = {
    "dashboards:find": Route(_find_url, signed_in(_find), targets=("A", "B", "missing")),
    "dashboards:find_suggestions": Route(
        lambda w, t: reverse("dashboards:find_suggestions") + "?q=kommune", signed_in(_viewer)
    ),
    "dashboards:status_map": Route(lambda w, t: reverse("dashboards:status_map"), signed_in(_viewer)),
    "dashboards:status_xlsx": Route(lambda w, t: reverse("dashboards:status_xlsx"), signed_in(_viewer)),
    "dashboards:missing_xlsx": Route(lambda w, t: reverse("dashboards:missing_xlsx"), signed_in(_viewer)),
    "dashboards:status_report": Route(_report_url, signed_in(_report), targets=("A", "B", "missing")),
}

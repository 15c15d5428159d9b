"""The dashboards app's newer status pages in the authorization matrix (issue 5: map, XLSX, PDF reports).

The first status routes (status, missing, missing_csv, remind, public_status, status_json) stay in
tests/test_authorization_matrix.py STATUS_ROUTES.
"""

from __future__ import annotations

from django.urls import reverse

from conftest import World
from tests.matrix_common import STAFF, Route, signed_in

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


ROUTES: dict[str, Route] = {
    "dashboards:status_map": Route(lambda w, t: reverse("dashboards:status_map"), signed_in(_viewer)),
    "dashboards:status_xlsx": Route(lambda w, t: reverse("dashboards:status_xlsx"), signed_in(_viewer)),
    "dashboards:missing_xlsx": Route(lambda w, t: reverse("dashboards:missing_xlsx"), signed_in(_viewer)),
    "dashboards:status_report": Route(_report_url, signed_in(_report), targets=("A", "B", "missing")),
}

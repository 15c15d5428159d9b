"""Authorization matrix routes of the connection registry and the member's connection tools."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World
from tests.matrix_common import STAFF, TARGETS, Route, org_action, org_id, signed_in, visible

# Staff who keep the registry (core.permissions: CONNECTION_MANAGE, CONNECTION_ASSESSMENT_VIEW).
CONNECTION_STAFF = {"membership_manager", "customer_centre", "system_admin", "superuser"}
# People with the admin, technical contact or signatory role in the target organisation.
ASSESSORS = {("member_a", "A"), ("admin_a", "A"), ("admin_b", "B")}

READ_ONLY_ADMIN = {
    "connections_connection",
    "connections_connectionchange",
    "connections_outage",
    "connections_assessment",
    "connections_clouddecision",
    "connections_terminationrequest",
}
# Who corrects an own connection and asks NHN to change it: the owner's administrators and technical contacts.
MEMBER_EDITORS = ASSESSORS


def seed_world(world: World) -> None:
    """A connection with an outage, a change, an assessment, a decision and a termination request for A
    and for B (so every admin page has an object and every route a target)."""
    from connections.models import (
        Assessment,
        ChangeRequest,
        CloudDecision,
        Connection,
        ConnectionChange,
        ConnectionType,
        Outage,
        TerminationRequest,
    )

    objects: dict[str, dict[str, Any]] = {}
    now = timezone.now()
    direct = ConnectionType.objects.get(code="direct")
    for target, org, municipality in (
        ("A", world.org_a, world.municipality_a),
        ("B", world.org_b, world.municipality_b),
    ):
        connection = Connection.objects.create(
            organisation=org,
            site_address=f"Rådhuset {target}",
            site_municipality=municipality,
            connection_type=direct,
            bandwidth_mbps=100,
            status="active",
            activated_on=dt.date(2024, 1, 1),
        )
        ConnectionChange.objects.create(connection=connection, kind="created", at=now, after=connection.snapshot())
        outage = Outage.objects.create(connection=connection, start=now - dt.timedelta(hours=2), end=now, cause="Fiber")
        objects[target] = {
            "connection": connection,
            "outage": outage,
            "assessment": Assessment.objects.create(
                organisation=org,
                created_by=world["superuser"],
                created_at=now,
                answers={},
                recommended_type=direct,
                recommended_bandwidth_mbps=100,
                recommended_redundancy="single",
                reasons=["Matrise"],
            ),
            "decision": CloudDecision.objects.create(
                organisation=org, created_by=world["superuser"], created_at=now, vendor="Sky", answers={}
            ),
        }
    for target, org, person in (("A", world.org_a, world["admin_a"]), ("B", world.org_b, world["admin_b"])):
        connection = objects[target]["connection"]
        objects[target]["termination"] = TerminationRequest.objects.create(
            organisation=org,
            connection=connection,
            requested_by=person,
            requested_at=now,
            wanted_end=dt.date(2099, 1, 1),
            reason="Matrise",
        )
        objects[target]["change_request"] = ChangeRequest.objects.create(
            organisation=org,
            connection=connection,
            requested_by=person,
            requested_at=now,
            before={"bandwidth_mbps": 100},
            wanted={"bandwidth_mbps": 1000},
        )
    world.extra["connections"] = objects


def _pk(world: World, target: str, kind: str) -> int:
    return world.extra["connections"][target][kind].pk if target in ("A", "B") else 999_999


def _staff_only(role: str, target: str) -> int:
    return 200 if role in CONNECTION_STAFF else 403


ROUTES: dict[str, Route] = {
    "connections:connection_list": Route(
        lambda w, t: reverse("connections:connection_list"), signed_in(lambda r, t: 200)
    ),
    "connections:connection_create": Route(
        lambda w, t: reverse("connections:connection_create"), signed_in(_staff_only)
    ),
    "connections:connection_import": Route(
        lambda w, t: reverse("connections:connection_import"), signed_in(_staff_only)
    ),
    "connections:backbone_uptime": Route(
        lambda w, t: reverse("connections:backbone_uptime"),
        signed_in(lambda r, t: 200 if r in STAFF or r == "coordinator_a" else 403),
    ),
    "connections:before_after": Route(
        lambda w, t: reverse("connections:before_after"),
        signed_in(lambda r, t: 200 if r in STAFF or r == "coordinator_a" else 403),
    ),
    "connections:connection_detail": Route(
        lambda w, t: reverse("connections:connection_detail", args=[_pk(w, t, "connection")]),
        signed_in(lambda r, t: 200 if visible(r, t) else 404),
        targets=TARGETS,
    ),
    "connections:connection_edit": Route(
        lambda w, t: reverse("connections:connection_edit", args=[_pk(w, t, "connection")]),
        org_action(lambda r, t: r in CONNECTION_STAFF),
        targets=TARGETS,
    ),
    "connections:outage_create": Route(
        lambda w, t: reverse("connections:outage_create", args=[_pk(w, t, "connection")]),
        org_action(lambda r, t: r in CONNECTION_STAFF),
        targets=TARGETS,
    ),
    "connections:outage_edit": Route(
        lambda w, t: reverse("connections:outage_edit", args=[_pk(w, t, "connection"), _pk(w, t, "outage")]),
        org_action(lambda r, t: r in CONNECTION_STAFF),
        targets=TARGETS,
    ),
    "connections:assessment_create": Route(
        lambda w, t: reverse("connections:assessment_create", args=[org_id(w, t)]),
        org_action(lambda r, t: (r, t) in ASSESSORS),
        targets=TARGETS,
    ),
    "connections:decision_create": Route(
        lambda w, t: reverse("connections:decision_create", args=[org_id(w, t)]),
        org_action(lambda r, t: (r, t) in ASSESSORS),
        targets=TARGETS,
    ),
    "connections:assessment_detail": Route(
        lambda w, t: reverse("connections:assessment_detail", args=[_pk(w, t, "assessment")]),
        org_action(lambda r, t: r in CONNECTION_STAFF or (r, t) in ASSESSORS),
        targets=TARGETS,
    ),
    "connections:assessment_pdf": Route(
        lambda w, t: reverse("connections:assessment_pdf", args=[_pk(w, t, "assessment")]),
        org_action(lambda r, t: r in CONNECTION_STAFF or (r, t) in ASSESSORS),
        targets=TARGETS,
    ),
    "connections:decision_detail": Route(
        lambda w, t: reverse("connections:decision_detail", args=[_pk(w, t, "decision")]),
        org_action(lambda r, t: r in CONNECTION_STAFF or (r, t) in ASSESSORS),
        targets=TARGETS,
    ),
    # Ending the member's own connection: its signatories only (admin_a is A's general manager).
    "connections:termination_request": Route(
        lambda w, t: reverse("connections:termination_request", args=[org_id(w, t)]),
        org_action(lambda r, t: (r, t) == ("admin_a", "A")),
        targets=TARGETS,
    ),
    # The owner's corrections and requests (issue 20); staff see the pages and decide there.
    "connections:connection_member_edit": Route(
        lambda w, t: reverse("connections:connection_member_edit", args=[_pk(w, t, "connection")]),
        org_action(lambda r, t: (r, t) in MEMBER_EDITORS),
        targets=TARGETS,
    ),
    "connections:change_request_create": Route(
        lambda w, t: reverse("connections:change_request_create", args=[_pk(w, t, "connection")]),
        org_action(lambda r, t: (r, t) in MEMBER_EDITORS),
        targets=TARGETS,
    ),
    "connections:request_queue": Route(lambda w, t: reverse("connections:request_queue"), signed_in(_staff_only)),
    "connections:change_request_detail": Route(
        lambda w, t: reverse("connections:change_request_detail", args=[_pk(w, t, "change_request")]),
        signed_in(lambda r, t: 200 if visible(r, t) else 404),
        targets=TARGETS,
    ),
    "connections:termination_detail": Route(
        lambda w, t: reverse("connections:termination_detail", args=[_pk(w, t, "termination")]),
        signed_in(lambda r, t: 200 if visible(r, t) else 404),
        targets=TARGETS,
    ),
}

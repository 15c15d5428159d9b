"""The connection section of the organisation page: its connections (owned and shared), the flags, and
the member's tools (assessment, cloud EPJ decision aid)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from connections.models import Assessment, Connection
from connections.selectors import is_member_in_force
from core.permissions import Action, can


def connection_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]] | None:
    user = request.user
    if not can(user, Action.CONNECTION_VIEW, organisation):
        return None
    connections = list(
        (Connection.objects.filter(organisation=organisation) | Connection.objects.filter(shared_with=organisation))
        .distinct()
        .with_flags()
        .select_related("connection_type", "organisation")
        .order_by("status", "pk")
    )
    in_use = [c for c in connections if c.status != "decommissioned"]
    may_assess = can(user, Action.CONNECTION_ASSESS, organisation)
    may_read_assessments = can(user, Action.CONNECTION_ASSESSMENT_VIEW, organisation)
    return "connections/partials/_org_connections.html", {
        "connections": connections,
        "without_connection": not in_use and is_member_in_force(organisation),
        "may_manage": can(user, Action.CONNECTION_MANAGE, organisation),
        "may_assess": may_assess,
        "may_terminate": can(user, Action.CONNECTION_TERMINATION_REQUEST, organisation) and bool(in_use),
        "latest_assessment": Assessment.objects.filter(organisation=organisation).first()
        if may_read_assessments
        else None,
    }

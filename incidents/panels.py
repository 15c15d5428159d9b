"""The incidents section of the organisation page: for the member's own people and the analysts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.permissions import Action, can
from incidents.models import Incident


def incidents_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]] | None:
    user = request.user
    if not can(user, Action.INCIDENT_VIEW, organisation) and not can(user, Action.INCIDENT_REPORT, organisation):
        return None
    incidents = list(Incident.objects.visible_to(user).filter(organisation=organisation)[:5])
    return "incidents/partials/_org_panel.html", {
        "incidents": incidents,
        "may_report": can(user, Action.INCIDENT_REPORT, organisation),
        "may_see_log": can(user, Action.INCIDENT_ACCESS_LOG, organisation),
    }

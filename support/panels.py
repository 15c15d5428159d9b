"""The customer centre's section on an organisation's page: its latest support requests and requests
for NHN to attend, for the customer centre and the organisation's own people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.permissions import Action, can
from support.models import AttendanceRequest, SupportRequest

SHOWN = 5


def support_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]] | None:
    user = request.user
    if not can(user, Action.SUPPORT_REQUEST_VIEW, organisation):
        return None
    return "support/partials/_org_support.html", {
        "requests": list(SupportRequest.objects.filter(organisation=organisation).order_by("-updated_at")[:SHOWN]),
        "attendance": list(AttendanceRequest.objects.filter(organisation=organisation)[:SHOWN]),
        "may_ask": can(user, Action.SUPPORT_REQUEST_CREATE, organisation),
    }

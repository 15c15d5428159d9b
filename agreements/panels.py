"""The services section of an organisation's page: agreements, open orders and the estimated cost."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agreements.hooks import orders_of
from agreements.selectors import agreement_overview
from core.permissions import Action, can


def services_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]] | None:
    if not can(request.user, Action.SERVICE_AGREEMENTS_VIEW, organisation):
        return None
    return "agreements/partials/_org_services.html", {
        "services_overview": agreement_overview(organisation),
        "open_orders": list(orders_of(organisation, open_only=True).select_related("service"))
        if can(request.user, Action.ORDER_VIEW, organisation)
        else [],
        "may_sign_services": can(request.user, Action.SERVICE_SIGN, organisation),
    }

"""The API and webhooks section of the organisation page: for those who may manage its tokens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.permissions import Action, can


def integrations_panel(request: HttpRequest, organisation: Any) -> tuple[str, dict[str, Any]] | None:
    if not can(request.user, Action.API_TOKENS_MANAGE, organisation):
        return None
    return "integrations/partials/_org_panel.html", {"organisation": organisation}

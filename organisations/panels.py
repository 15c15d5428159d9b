"""Sections that domain apps add to the organisation page, without organisations importing them.

A domain app registers a function in its AppConfig.ready(); the organisation page calls each with
the request and the organisation (already checked as visible) and includes what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]
_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> Panel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def render_panels(request: HttpRequest, organisation: Any) -> list[tuple[str, dict[str, Any]]]:
    return [result for panel in _PANELS if (result := panel(request, organisation)) is not None]

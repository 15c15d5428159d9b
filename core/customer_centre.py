"""The customer centre's contact details and opening hours for every page, without core importing the
support app: support registers its provider in AppConfig.ready(); until then (or without the app) the
settings' values are used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

_provider: Callable[[], dict[str, Any]] | None = None


def register_provider(provider: Callable[[], dict[str, Any]]) -> None:
    global _provider
    _provider = provider


def customer_centre() -> dict[str, Any]:
    """``phone``, ``email``, ``hours`` ("08:00–20:00") and ``days`` ("Monday–Friday", or "")."""
    if _provider is not None:
        return _provider()
    return {
        "phone": settings.CUSTOMER_CENTRE_PHONE,
        "email": settings.CUSTOMER_CENTRE_EMAIL,
        "hours": settings.CUSTOMER_CENTRE_HOURS,
        "days": "",
    }

"""Login with ID-porten and HelseID over OpenID Connect, and step-up for actions that need more.

``require_acr(request, level)`` is what an action with legal weight (signing) calls first::

    response = require_acr(request, settings.IDPORTEN_SIGNING_ACR)
    if response is not None:
        return response  # the person is sent to log in again at that level, then back here

It returns None when the session's login is at ``level`` or above and at most
``settings.OIDC_STEP_UP_MAX_AGE`` seconds old; otherwise a redirect to a fresh login at ``level``
(``prompt=login``, ``max_age=0``) that returns to the current URL, as the same person only.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from accounts.oidc.providers import configured_providers, get_provider


def login_level(request: HttpRequest) -> tuple[str, str, int] | None:
    """(provider, acr, auth_time) of this session's provider login, or None for a password login."""
    info = request.session.get("oidc")
    if not info:
        return None
    return str(info.get("provider", "")), str(info.get("acr", "")), int(info.get("auth_time", 0))


def require_acr(
    request: HttpRequest, level: str, *, max_age: int | None = None, next_url: str | None = None
) -> HttpResponseRedirect | None:
    """None when the session's provider login is at ``level`` and fresh; else the redirect to a fresh
    login that returns to ``next_url`` (default: the current URL)."""
    max_age = settings.OIDC_STEP_UP_MAX_AGE if max_age is None else max_age
    current = login_level(request)
    if current is not None:
        provider = get_provider(current[0])
        if (
            provider is not None
            and provider.rank(current[1]) >= provider.rank(level) >= 0
            and time.time() - current[2] <= max_age
        ):
            return None
    provider_name = current[0] if current else ""
    if get_provider(provider_name) is None:
        providers = configured_providers()
        if not providers:
            return HttpResponseRedirect(reverse("accounts:login"))
        provider_name = providers[0].name
    query = urlencode({"acr": level, "fresh": "1", "next": next_url or request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('accounts:oidc_start', args=[provider_name])}?{query}")

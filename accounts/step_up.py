"""The step-up before a signing: the signer proves again, just now, that it is them.

Two ways, chosen by how the session logged in:

* a session from an OpenID Provider (ID-porten, HelseID) steps up there: a fresh login at
  ``settings.IDPORTEN_SIGNING_ACR`` at most ``settings.OIDC_STEP_UP_MAX_AGE`` seconds old
  (``accounts.oidc.require_acr``). Such a person may have no password at all, so the signing form
  asks for none;
* a password session types the password again (``accounts.throttle.require_step_up``: throttled and
  counted like the login).

A view builds the ``StepUp`` with ``for_request`` and, for an OIDC session, sends the person through
``redirect_if_needed`` first; the service checks it with ``verify`` and records ``evidence`` on the
signature and in the audit trail (which method, and for OIDC the provider, ``acr`` and ``auth_time``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from accounts.oidc import login_level, require_acr
from accounts.oidc.providers import get_provider
from accounts.throttle import require_step_up

PASSWORD = "password"  # noqa: S105 - the name of a method, not a password
OIDC = "oidc"


class StepUpNeeded(ValidationError):
    """The OIDC step-up is missing, too weak or too old: the view sends the person to log in again."""


@dataclass(frozen=True)
class StepUp:
    """How the signer proved it is them: ``method`` and, for OIDC, the provider's ``acr`` and ``auth_time``.

    The password travels here only from the form to ``verify``; it is never part of the evidence."""

    method: str
    password: str = ""
    provider: str = ""
    acr: str = ""
    auth_time: int = 0

    @classmethod
    def with_password(cls, password: str) -> StepUp:
        return cls(method=PASSWORD, password=password)

    @property
    def uses_provider(self) -> bool:
        return self.method == OIDC

    @property
    def evidence(self) -> dict[str, Any]:
        """What the signature and the audit event record (never the password)."""
        if self.method != OIDC:
            return {"method": PASSWORD}
        return {
            "method": OIDC,
            "provider": self.provider,
            "acr": self.acr,
            "auth_time": dt.datetime.fromtimestamp(self.auth_time, tz=dt.UTC).isoformat() if self.auth_time else None,
        }

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        return f"StepUp(method={self.method!r}, provider={self.provider!r}, acr={self.acr!r})"


def uses_provider(request: HttpRequest) -> bool:
    """Did this session log in with a configured OpenID Provider (then it steps up there)?"""
    level = login_level(request)
    return level is not None and get_provider(level[0]) is not None


def for_request(request: HttpRequest, *, password: str = "") -> StepUp:
    """The step-up this session offers: the provider login it holds, or the password from the form."""
    level = login_level(request)
    if level is not None and get_provider(level[0]) is not None:
        provider, acr, auth_time = level
        return StepUp(method=OIDC, provider=provider, acr=acr, auth_time=auth_time)
    return StepUp.with_password(password)


def redirect_if_needed(request: HttpRequest, *, next_url: str | None = None) -> HttpResponseRedirect | None:
    """For an OIDC session whose login is not fresh at the signing level: the way to a fresh login
    that comes back to ``next_url`` (default: this page). None when no redirect is needed."""
    if not uses_provider(request):
        return None
    return require_acr(request, settings.IDPORTEN_SIGNING_ACR, next_url=next_url)


def verify(step_up: StepUp, *, user: Any, ip_address: str | None, user_agent: str = "") -> None:
    """ValidationError unless the step-up holds now: the right password (throttled), or a provider
    login at the signing level that is recent enough (StepUpNeeded)."""
    if step_up.method != OIDC:
        require_step_up(user=user, password=step_up.password, ip_address=ip_address, user_agent=user_agent)
        return
    provider = get_provider(step_up.provider)
    fresh = time.time() - step_up.auth_time <= settings.OIDC_STEP_UP_MAX_AGE
    if (
        provider is None
        or provider.rank(step_up.acr) < provider.rank(settings.IDPORTEN_SIGNING_ACR)
        or provider.rank(step_up.acr) < 0
        or not fresh
    ):
        raise StepUpNeeded(
            _("Confirm who you are with %(provider)s again to sign.")
            % {"provider": provider.display_name if provider else step_up.provider},
            code="step_up_needed",
        )


PENDING_KEY = "step_up_pending"


def response_for(request: HttpRequest, *, next_url: str) -> HttpResponse | None:
    """The way to a fresh provider login at the signing level that comes back to ``next_url``, or None
    when the session needs none. From a form (POST) it is a hand-off page of our own, not a redirect:
    CSP form-action 'self' would block a form's redirect on to the provider. The page at ``next_url``
    learns from ``returned_from`` that the person was on the way to sign (it keeps their confirmation)."""
    redirect = redirect_if_needed(request, next_url=next_url)
    if redirect is None:
        return None
    request.session[PENDING_KEY] = next_url
    if request.method == "GET":
        return redirect
    from accounts.oidc.views import handoff

    level = login_level(request)
    provider = get_provider(level[0]) if level else None
    if provider is None:  # pragma: no cover - redirect_if_needed only answers for a provider session
        return redirect
    return handoff(request, provider, redirect.url)


def returned_from(request: HttpRequest, next_url: str) -> bool:
    """Did the person come back to ``next_url`` from the step-up (once: the mark is removed)?"""
    if request.session.get(PENDING_KEY) != next_url:
        return False
    del request.session[PENDING_KEY]
    return True


def provider_name(request: HttpRequest) -> str:
    """The display name of the provider this session steps up with ("ID-porten (test)"), or ""."""
    level = login_level(request)
    provider = get_provider(level[0]) if level else None
    return provider.display_name if provider else ""

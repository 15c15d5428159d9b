"""The second factor every NHN staff account must pass: a passkey (django-otp-webauthn) or TOTP
(django-otp), with single-use recovery codes (django-otp's static tokens).

The gate works on the session, however the user logged in (password here, OpenID Connect elsewhere):
``SecondFactorMiddleware`` sends a signed-in staff member whose session has not passed a second factor
to the verification page (or, with no device yet, to enrolment) from every page but a short list.
Members are not required to use one.

HelseID at assurance level high may count instead, when configured (``MFA_EXEMPT_HELSEID_HIGH``): the
OIDC login's session record ``session["oidc"] = {"provider": "helseid", "acr": …}``, or the keys
``auth_issuer`` (== ``MFA_HELSEID_ISSUER``) and ``auth_acr``, with an acr in ``MFA_HELSEID_HIGH_ACR``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

# Session keys the OIDC login sets (documented in docs/architecture.md).
AUTH_ISSUER_SESSION_KEY = "auth_issuer"
AUTH_ACR_SESSION_KEY = "auth_acr"
AUTH_METHOD_SESSION_KEY = "auth_method"

# Reachable before the second factor: passing or enrolling one, logging out, choosing the language.
ALWAYS_OPEN = frozenset(
    {
        "accounts:second_factor_verify",
        "accounts:logout",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
        "set_language",
        "healthz",
    }
)
# Reachable before the second factor only while the account has none yet (first enrolment).
OPEN_UNTIL_ENROLLED = frozenset(
    {
        "accounts:second_factor",
        "accounts:totp_add",
        "accounts:recovery_codes",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
    }
)


def required_for(user: Any) -> bool:
    """Staff (a staff role, or superuser) must pass a second factor; members need not."""
    return bool(user.is_authenticated and user.is_staff)


# The OIDC login's own record in the session (accounts.oidc.views: {"provider": "helseid", "acr": …}).
OIDC_SESSION_KEY = "oidc"


def exempt_by_identity_provider(request: HttpRequest) -> bool:
    if not settings.MFA_EXEMPT_HELSEID_HIGH:
        return False
    session = request.session
    high = set(settings.MFA_HELSEID_HIGH_ACR)
    oidc = session.get(OIDC_SESSION_KEY)
    if isinstance(oidc, dict) and oidc.get("provider") == "helseid" and oidc.get("acr") in high:
        return True
    issuer = settings.MFA_HELSEID_ISSUER
    return bool(issuer) and session.get(AUTH_ISSUER_SESSION_KEY) == issuer and session.get(AUTH_ACR_SESSION_KEY) in high


def passed(request: HttpRequest) -> bool:
    user = request.user
    if not required_for(user):
        return True
    return bool(user.is_verified()) or exempt_by_identity_provider(request)  # type: ignore[union-attr]  # django-otp's OTPMiddleware adds is_verified to the user


def _route_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return match.view_name


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if passed(request):
            return self.get_response(request)
        name = _route_name(request)
        enrolled = user_has_device(request.user)
        if name in ALWAYS_OPEN or (name in OPEN_UNTIL_ENROLLED and not enrolled):
            return self.get_response(request)
        target = reverse("accounts:second_factor_verify" if enrolled else "accounts:second_factor")
        if request.method == "GET" and not request.path_info.startswith(("/accounts/login", "/admin/login")):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)

"""Login with an OpenID Provider: send the person there, take them back, log them out of both."""

from __future__ import annotations

import base64
import logging
import re
import time
from urllib.parse import urlencode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LogoutView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from accounts.oidc import client
from accounts.oidc.providers import Provider, get_provider
from accounts.oidc.services import LoginRefused, sign_in_person

logger = logging.getLogger(__name__)

TX_KEY = "oidc_tx"
SESSION_KEY = "oidc"


def handoff(request: HttpRequest, provider: Provider, url: str) -> HttpResponse:
    """Send the browser on to the provider from the answer to a POST.

    A redirect would be blocked: the portal's CSP (form-action 'self') covers where a form's
    redirects lead. A page of our own that refreshes to the provider is a new navigation instead.
    """
    return render(request, "accounts/oidc/handoff.html", {"provider": provider, "url": url})


def ui_locales() -> str:
    """The portal's language as the provider understands it (ID-porten knows nb, nn, en, se)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {"no": "nb"}.get(language, language)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _provider_or_404(name: str) -> Provider:
    provider = get_provider(name)
    if provider is None:
        raise Http404
    return provider


def begin(
    request: HttpRequest, provider: Provider, *, next_url: str, acr: str = "", fresh: bool = False
) -> HttpResponse:
    """Start a login at ``provider``: remember the transaction in the session, redirect there."""
    acr = acr or provider.login_acr
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback", args=[provider.name]))
    step_up_user = request.user.pk if fresh and request.user.is_authenticated else None
    try:
        url, tx = client.authorization_url(
            provider,
            redirect_uri=redirect_uri,
            acr=acr,
            ui_locales=ui_locales(),
            next_url=next_url,
            fresh=fresh,
            step_up_user_id=step_up_user,
        )
    except client.ProtocolError as error:
        logger.warning("OIDC login with %s could not start: %s", provider.name, error)
        messages.error(
            request,
            _("%(provider)s cannot be reached just now. Please try again later.") % {"provider": provider.display_name},
        )
        return redirect("accounts:login")
    request.session[TX_KEY] = tx.as_session()
    return HttpResponseRedirect(url)


@require_GET
def start(request: HttpRequest, provider_name: str) -> HttpResponse:
    provider = _provider_or_404(provider_name)
    acr = request.GET.get("acr", "")
    if acr and provider.rank(acr) < provider.rank(provider.login_acr):
        acr = ""  # never ask for less than a login needs
    return begin(
        request, provider, next_url=_safe_next(request, request.GET.get("next")), acr=acr, fresh="fresh" in request.GET
    )


def _refuse(request: HttpRequest, provider: Provider, message: str, reason: str) -> HttpResponse:
    # The library's reasons read "expired_token: …"; the log's secret filter would take "expired_token:" for a
    # token's name and mask the reason, so the colon goes.
    logger.info("OIDC login with %s refused: %s", provider.name, reason.replace(":", " -"))
    messages.error(request, message)
    return redirect("accounts:login")


@require_GET
def callback(request: HttpRequest, provider_name: str) -> HttpResponse:
    provider = _provider_or_404(provider_name)
    tx = client.Transaction.from_session(request.session.pop(TX_KEY, None))  # single use
    error = request.GET.get("error")
    if error:
        if error == "access_denied":
            return _refuse(request, provider, _("You cancelled the login. You have not been logged in."), "cancelled")
        return _refuse(
            request,
            provider,
            _("%(provider)s could not log you in. Please try again.") % {"provider": provider.display_name},
            f"provider error {re.sub(r'[^a-z_]', '', error)[:40]}",
        )
    state = request.GET.get("state", "")
    if tx is None or tx.provider != provider.name or not state or not constant_time_compare(state, tx.state):
        return _refuse(
            request,
            provider,
            _("The login could not be verified (it expired or was started elsewhere). Please try again."),
            "state",
        )
    code = request.GET.get("code", "")
    if not code:
        return _refuse(request, provider, _("The login could not be verified. Please try again."), "no code")
    try:
        claims, id_token = client.exchange_code(provider, tx, code=code)
    except client.ProtocolError as problem:
        return _refuse(request, provider, _("The login could not be verified. Please try again."), str(problem))
    except JoseError as problem:
        if getattr(problem, "claim", "") == "acr" or "acr" in str(problem):
            return _refuse(
                request,
                provider,
                _("This needs a login at a higher security level. Please log in again with a stronger method."),
                "acr",
            )
        return _refuse(
            request,
            provider,
            _("The login could not be verified. Please try again."),
            f"token: {problem.error}: {problem.description}",
        )
    if tx.fresh and int(claims.get("auth_time") or 0) < tx.created - client.LEEWAY:
        return _refuse(request, provider, _("The login was not fresh. Please log in again."), "auth_time")
    try:
        user = sign_in_person(provider=provider, claims=claims)
    except LoginRefused as refusal:
        return _refuse(request, provider, str(refusal.message), refusal.reason)
    if tx.step_up_user_id is not None and user.pk != tx.step_up_user_id:
        return _refuse(request, provider, _("You logged in as another person. Nothing was changed."), "step-up person")
    login(request, user, backend="accounts.backends.PortalBackend")  # rotates the session id
    request.session[SESSION_KEY] = {
        "provider": provider.name,
        "acr": str(claims.get("acr") or ""),
        "auth_time": int(claims.get("auth_time") or time.time()),
        # For logout's id_token_hint. Sealed: the token carries the national identity number (pid),
        # which the portal keeps nowhere readable, the session store included.
        ID_TOKEN_KEY: seal_id_token(id_token),
    }
    next_url = _safe_next(request, tx.next_url)
    # Arrived without an address (a placeholder stands in): an ordinary login is asked for it at once; one on
    # its way somewhere (an invitation, which brings its own address; signing) goes on, and every page
    # carries the request (templates/base.html) until the address is given.
    if not user.has_email and next_url == reverse(settings.LOGIN_REDIRECT_URL):
        return HttpResponseRedirect(f"{reverse('accounts:email')}?{urlencode({'next': next_url})}")
    return HttpResponseRedirect(next_url)


ID_TOKEN_KEY = "id_token_sealed"  # noqa: S105 - a session key, not a secret
_ID_TOKEN_SALT = "accounts.oidc.id_token_hint"  # noqa: S105 - a salt (namespace), not a secret


def _fernet(key: str) -> Fernet:
    digest = salted_hmac(_ID_TOKEN_SALT, "", secret=key, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal_id_token(id_token: str) -> str:
    """The ID token encrypted with a key derived from SECRET_KEY (Fernet: AES-CBC with an HMAC)."""
    return _fernet(settings.SECRET_KEY).encrypt(id_token.encode()).decode()


def open_id_token(sealed: str) -> str:
    """The sealed ID token, or "" when it cannot be opened (none, tampered, or SECRET_KEY rotated away)."""
    if not sealed:
        return ""
    fernet = MultiFernet([_fernet(key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]])
    try:
        return fernet.decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""


class PortalLogoutView(LogoutView):
    """Django's logout, then the provider's too when the session came from one (RP-initiated logout)."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        info = request.session.get(SESSION_KEY) or {}
        response = super().post(request, *args, **kwargs)
        provider = get_provider(str(info.get("provider", "")))
        if provider is None:
            return response
        url = client.logout_url(
            provider,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:login")),
            ui_locales=ui_locales(),
            id_token_hint=open_id_token(str(info.get(ID_TOKEN_KEY, ""))),
        )
        return handoff(request, provider, url) if url else response

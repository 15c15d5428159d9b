"""Throttling of password logins and of the password step-up at signing, with django-axes.

Failures count per account (the e-mail address, case-folded, whether or not an account has it) and
per client address (core.client_ip: the trusted proxy's word only). ``LOGIN_FAILURE_LIMIT`` failures
of either lock that account or address for ``LOGIN_LOCKOUT_MINUTES`` after the last failure; while
locked, even the right password is refused before it is checked. The user is told when to try again;
the customer centre can lift a lock (``unlock``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from core.client_ip import client_ip


def normalise_username(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail address as the backend reads it, so case never escapes the limit."""
    credentials = credentials or {}
    value = credentials.get("username", credentials.get("email"))
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    return normalise_username(value)


def locked_until(*, username: str | None, ip_address: str | None) -> dt.datetime | None:
    """When the lock on this account or address lifts, or None when neither is locked."""
    from django.conf import settings

    cool_off = get_cool_off()
    if cool_off is None:
        return None
    now = timezone.now()
    until: dt.datetime | None = None
    for field, value in (("username", username), ("ip_address", ip_address)):
        if not value:
            continue
        rows = AccessAttempt.objects.filter(**{field: value}, attempt_time__gt=now - cool_off)
        total = sum(row.failures_since_start for row in rows)
        if total >= settings.AXES_FAILURE_LIMIT:
            last = rows.aggregate(last=Max("attempt_time"))["last"]
            if last is not None and (until is None or last + cool_off > until):
                until = last + cool_off
    return until


def lockout_message(until: dt.datetime | None) -> str:
    if until is None:
        return _("Too many failed attempts. Wait a while and try again, or call the customer centre.")
    local = timezone.localtime(until)
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    return _(
        "Too many failed attempts. Try again after %(time)s (in %(minutes)s minutes), "
        "or ask the customer centre to unlock your account."
    ) % {"time": time_format(local, "H:i"), "minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, saying when to try again (429)."""
    from accounts.forms import LoginForm

    username = username_of(request, credentials if isinstance(credentials, dict) else None)
    until = locked_until(username=username, ip_address=client_ip(request))
    form = LoginForm(request, initial={"username": username or ""})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "lockout": lockout_message(until), "next": request.POST.get("next", "")},
        status=429,
    )


class StepUpLocked(Exception):
    """The password step-up is refused: too many failures for this account or address."""

    def __init__(self, until: dt.datetime | None) -> None:
        super().__init__(lockout_message(until))
        self.until = until


def check_step_up(*, user: Any, password: str, ip_address: str | None, user_agent: str = "") -> bool:
    """The password step-up at signing, through the same backends and limits as the login.

    True when the password is right. A failure counts towards the account's and address's limits;
    raises StepUpLocked (before any password is checked) while either is locked.
    """
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/step-up/"
    request.META = {"REMOTE_ADDR": ip_address or "", "HTTP_USER_AGENT": user_agent[:255]}
    authenticated = authenticate(request, username=user.email, password=password)
    if getattr(request, "axes_locked_out", False) or not AxesProxyHandler.is_allowed(request, {"username": user.email}):
        raise StepUpLocked(locked_until(username=normalise_username(user.email), ip_address=ip_address))
    return authenticated is not None and authenticated.pk == user.pk


def require_step_up(*, user: Any, password: str, ip_address: str | None, user_agent: str = "") -> None:
    """The password step-up for a service: ValidationError on the password field when wrong or locked."""
    from django.core.exceptions import ValidationError

    try:
        ok = check_step_up(user=user, password=password, ip_address=ip_address, user_agent=user_agent)
    except StepUpLocked as locked:
        raise ValidationError({"password": str(locked)}) from None
    if not ok:
        raise ValidationError({"password": _("The password is wrong.")})

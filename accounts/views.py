"""The second-factor pages (verify, manage, add an authenticator app, recovery codes), the passkey
endpoints with audit events, and the customer centre's unlock page. Thin: services.py writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialAuthenticationView, CompleteCredentialRegistrationView

from accounts import services
from accounts.forms import EmailAddressForm, SecondFactorCodeForm, TOTPConfirmForm, UnlockForm
from accounts.second_factor import passed
from accounts.sessions import rotate
from core.client_ip import client_ip
from core.permissions import Action, require


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_required
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if passed(request) and user.is_verified():  # type: ignore[union-attr]  # a logged-in user here (login_required); django-otp adds is_verified
        return HttpResponseRedirect(_next(request))
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect("accounts:second_factor")
    form = SecondFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_check(
            user=user, token=form.cleaned_data["token"], ip_address=client_ip(request)
        )
        if device is not None:
            otp_login(request, device)
            rotate(request)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("You used a recovery code. It cannot be used again; make new codes when you run short."),
                )
            return HttpResponseRedirect(_next(request))
        form.add_error("token", _("The code is wrong, already used or too old. Try again."))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {
            "form": form,
            "has_passkey": any(isinstance(d, WebAuthnCredential) for d in devices),
            "has_code_device": any(not isinstance(d, WebAuthnCredential) for d in devices),
            "next": _next(request),
        },
    )


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    devices = list(devices_for_user(user, confirmed=True))
    recovery = next((d for d in devices if isinstance(d, StaticDevice)), None)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "passkeys": [d for d in devices if isinstance(d, WebAuthnCredential)],
            "apps": [d for d in devices if isinstance(d, TOTPDevice)],
            "recovery": recovery,
            "recovery_left": recovery.token_set.count() if recovery else 0,
            "required": user.is_staff,  # type: ignore[union-attr]  # a logged-in user here (login_required); django-otp adds is_verified
            "enrolled": bool(services.strong_devices(user)),
        },
    )


@login_required
def totp_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = services.totp_start(user=user)
    form = TOTPConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.totp_confirm(
                user=user, token=form.cleaned_data["token"], ip_address=client_ip(request)
            )
        except ValidationError as error:
            for message in error.message_dict.get("token", error.messages):
                form.add_error("token", message)
        else:
            first = not user.is_verified()  # type: ignore[union-attr]  # a logged-in user here (login_required); django-otp adds is_verified
            otp_login(request, confirmed)
            rotate(request)
            messages.success(request, _("The authenticator app is added."))
            if first or not StaticDevice.objects.filter(user=user).exists():
                return _show_recovery_codes(request)
            return redirect("accounts:second_factor")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/totp_add.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
            "secret": _b32(device),
        },
    )


def _b32(device: TOTPDevice) -> str:
    import base64

    text = base64.b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _show_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = services.recovery_codes_generate(user=request.user, ip_address=client_ip(request))
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown on this response only. The old set stops working."""
    if request.user.is_staff and not services.strong_devices(request.user):  # type: ignore[union-attr]  # a logged-in user here (login_required); django-otp adds is_verified
        messages.error(request, _("Add a passkey or an authenticator app first."))
        return redirect("accounts:second_factor")
    return _show_recovery_codes(request)


@login_required
@require_POST
def device_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = {"passkey": WebAuthnCredential, "totp": TOTPDevice, "recovery_codes": StaticDevice}.get(kind)
    if model is None:
        raise Http404
    device = model.objects.filter(user=request.user, pk=pk).first()
    if device is None:
        raise Http404
    try:
        services.device_remove(user=request.user, device=device, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed."))
    return redirect("accounts:second_factor")


class PasskeyRegistrationComplete(CompleteCredentialRegistrationView):
    """django-otp-webauthn's endpoint, plus the audit event and a new session id."""

    def post(self, *args: Any, **kwargs: Any) -> Any:
        response = super().post(*args, **kwargs)
        if getattr(response, "status_code", 500) == 200:
            services._record(
                user=self.request.user,
                action="auth.second_factor_added",
                ip_address=client_ip(self.request),
                kind="passkey",
            )
            rotate(self.request)
        return response


class PasskeyAuthenticationComplete(CompleteCredentialAuthenticationView):
    """django-otp-webauthn's endpoint, plus audit events (passed or failed) and a new session id."""

    def complete_auth(self, device: Any) -> Any:
        if device.user_id != self.request.user.pk:  # a passkey of someone else: not this session's factor
            from django_otp_webauthn import exceptions

            raise exceptions.CredentialUserMismatch()
        result = super().complete_auth(device)
        rotate(self.request)
        services._record(
            user=self.request.user,
            action="auth.second_factor_verified",
            ip_address=client_ip(self.request),
            kind="passkey",
        )
        return result

    def handle_exception(self, exc: Exception) -> Any:
        if self.request.user.is_authenticated:
            services._record(
                user=self.request.user,
                action="auth.second_factor_failed",
                ip_address=client_ip(self.request),
                kind="passkey",
            )
        return super().handle_exception(exc)


@login_required
def unlock(request: HttpRequest) -> HttpResponse:
    """The customer centre's view of current login locks, and lifting one."""
    require(request.user, Action.ACCOUNT_UNLOCK)
    form = UnlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cleared = services.unlock(
                actor=request.user,
                email=form.cleaned_data.get("email") or "",
                ip_address_locked=form.cleaned_data.get("client_address") or "",
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Unlocked (%(count)s records cleared).") % {"count": cleared})
            return redirect("accounts:unlock")
    return render(request, "accounts/unlock.html", {"form": form, "locks": current_locks()})


def current_locks() -> list[dict[str, Any]]:
    """Accounts and addresses locked now, with when each lock lifts."""
    cool_off = get_cool_off() or dt.timedelta(0)
    since = timezone.now() - cool_off
    locks: list[dict[str, Any]] = []
    for field, label in (("username", _("Account")), ("ip_address", _("Client address"))):
        rows = (
            AccessAttempt.objects.filter(attempt_time__gt=since)
            .exclude(**{f"{field}__isnull": True})
            .exclude(**{field: ""})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")[:200]
        )
        locks += [
            {
                "kind": label,
                "field": field,
                "value": row[field],
                "failures": row["failures"],
                "until": row["last"] + cool_off,
            }
            for row in rows
        ]
    return locks


@login_required
def email_address(request: HttpRequest) -> HttpResponse:
    """The person's own e-mail address. Who arrived by ID-porten or HelseID has none yet and is asked
    here at the first login; a new address counts once its confirmation link has been opened."""
    user = request.user
    form = EmailAddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_request(
                user=user,
                email=form.cleaned_data["email"],
                confirm_url=request.build_absolute_uri(reverse("accounts:email_confirm")),
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("We have sent a link to %(email)s. Open it to confirm the address.")
                % {"email": form.cleaned_data["email"]},
            )
            return HttpResponseRedirect(_next(request))
    return render(
        request,
        "accounts/email_address.html",
        {"form": form, "current": user.contact_email, "next": _next(request)},  # type: ignore[union-attr]  # request.user is a User here (login_required)
    )


@login_required
def email_confirm(request: HttpRequest) -> HttpResponse:
    try:
        email = services.email_change_confirm(
            user=request.user, token=request.GET.get("token", ""), ip_address=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:email")
    messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": email})
    return redirect(settings.LOGIN_REDIRECT_URL)


def _with_password(view: Any) -> Any:
    """Django's password pages, for those who have a password; who logs in with ID-porten or HelseID has
    none in the portal and is told so instead of being asked for an "old password"."""

    @login_required
    def wrapper(request: HttpRequest) -> HttpResponse:
        if not request.user.has_usable_password():  # type: ignore[union-attr]  # request.user is a User here (login_required)
            messages.info(request, _("You log in with ID-porten or HelseID, so you have no password in the portal."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        return view(request)  # type: ignore[no-any-return]  # Django's view callables are untyped

    return wrapper


password_change = _with_password(
    PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
    )
)
password_change_done = _with_password(
    PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)

"""Writes about a person's own sign-in: second-factor devices, recovery codes, and lifting a lock.

Every change is an audit event with the client address. Views pass ``ip_address`` from core.client_ip.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.utils import reset as axes_reset
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from core.audit import audit_record
from core.permissions import Action, require

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"


def _record(*, user: Any, action: str, ip_address: str, actor: Any = None, **after: Any) -> None:
    audit_record(actor=actor or user, action=action, obj=user, after={"ip": ip_address, **after})


def device_kind(device: Device) -> str:
    if isinstance(device, WebAuthnCredential):
        return "passkey"
    if isinstance(device, TOTPDevice):
        return "totp"
    return "recovery_codes"


def strong_devices(user: Any) -> list[Device]:
    """The confirmed passkeys and authenticator apps (recovery codes are a fallback, not a factor of their own)."""
    return [d for d in devices_for_user(user, confirmed=True) if not isinstance(d, StaticDevice)]


def totp_start(*, user: Any) -> TOTPDevice:
    """An unconfirmed authenticator-app device to show as a QR code (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: Any, token: str, ip_address: str) -> TOTPDevice:
    """Confirm the pending authenticator app with a code from it; ValidationError when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError({"token": _("Start again: no authenticator app is waiting to be confirmed.")})
    if not device.verify_token(token.strip().replace(" ", "")):
        raise ValidationError({"token": _("The code is wrong or too old. Enter the code the app shows now.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _record(user=user, action="auth.second_factor_added", ip_address=ip_address, kind="totp", device=device.pk)
    return device


@transaction.atomic
def recovery_codes_generate(*, user: Any, ip_address: str) -> list[str]:
    """A new set of single-use recovery codes, replacing any earlier set; shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    _record(user=user, action="auth.recovery_codes_generated", ip_address=ip_address, count=len(codes))
    return codes


@transaction.atomic
def device_remove(*, user: Any, device: Device, ip_address: str) -> None:
    """Remove one of the user's own devices. Staff keep at least one passkey or authenticator app."""
    if device.user_id != user.pk:
        raise PermissionDenied
    kind = device_kind(device)
    if kind != "recovery_codes" and user.is_staff and len(strong_devices(user)) <= 1:
        raise ValidationError(_("Add another passkey or authenticator app before you remove your last one."))
    device.delete()
    _record(user=user, action="auth.second_factor_removed", ip_address=ip_address, kind=kind)


@transaction.atomic
def second_factor_check(*, user: Any, token: str, ip_address: str) -> Device | None:
    """The device whose code (authenticator app or recovery code) this is, or None. Both outcomes are audited.

    django-otp throttles each device after a failure (growing delays), so codes cannot be guessed fast.
    ``devices_for_user(for_verify=True)`` locks the devices (SELECT ... FOR UPDATE) so two requests cannot
    both spend one code; that needs a transaction. SQLite ignores FOR UPDATE, PostgreSQL refuses it in
    autocommit: without this atomic block every code was a server error there."""
    token = token.strip().replace(" ", "").lower()
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, WebAuthnCredential) or not token:
            continue
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            _record(user=user, action="auth.second_factor_verified", ip_address=ip_address, kind=device_kind(device))
            return device
    _record(user=user, action="auth.second_factor_failed", ip_address=ip_address, kind="code")
    return None


def unlock(*, actor: Any, email: str = "", ip_address_locked: str = "", ip_address: str) -> int:
    """Lift a lock on an account (by e-mail) or a client address; returns how many records were cleared."""
    require(actor, Action.ACCOUNT_UNLOCK)
    email = email.strip().lower()
    ip_locked = ip_address_locked.strip()
    if not email and not ip_locked:
        raise ValidationError(_("Give the e-mail address or the client address to unlock."))
    with transaction.atomic():
        cleared = 0
        if email:
            cleared += axes_reset(username=email)
        if ip_locked:
            cleared += axes_reset(ip=ip_locked)
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(email=email).first() if email else None
        audit_record(
            actor=actor,
            action="auth.unlocked",
            obj=user,
            object_type="accounts.user",
            after={"ip": ip_address, "email": email, "client_address": ip_locked, "cleared": cleared},
        )
    return cleared


EMAIL_CONFIRM_SALT = "accounts.email_confirm"
EMAIL_CONFIRM_MAX_AGE = 2 * 24 * 60 * 60  # two days


def _email_taken(user: Any, email: str) -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def email_change_request(*, user: Any, email: str, confirm_url: str, ip_address: str) -> str:
    """Send a confirmation link to the address the person gave; the account keeps its address until the
    link is opened. Returns the signed token (``confirm_url`` gets ``?token=`` it).

    An address that cannot receive mail, or that another account uses, is refused: accounts are never
    joined through an e-mail address (issue 15)."""
    from core.mail import is_deliverable, mail_queue

    email = email.strip().lower()
    if not is_deliverable(email):
        raise ValidationError({"email": _("Give an address that can receive e-mail.")})
    if email == user.email:
        raise ValidationError({"email": _("This is already your e-mail address.")})
    if _email_taken(user, email):
        raise ValidationError({"email": _("This address cannot be used. Ask the customer centre if it is yours.")})
    token = signing.dumps({"user": user.pk, "email": email}, salt=EMAIL_CONFIRM_SALT)
    link = f"{confirm_url}?{urlencode({'token': token})}"
    mail_queue(
        template="accounts/email/confirm_email",
        recipients=[email],
        context={"user": user, "url": link},
        key=f"email-confirm:{user.pk}:{token[-16:]}",
        language=user.language or None,
    )
    _record(user=user, action="account.email_change_requested", ip_address=ip_address)
    return token


@transaction.atomic
def email_change_confirm(*, user: Any, token: str, ip_address: str) -> str:
    """Take the address from a confirmation link: for the logged-in person it was sent to, within two days."""
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(_("The confirmation link is invalid or too old. Ask for a new one.")) from None
    if data.get("user") != user.pk:
        raise ValidationError(_("The confirmation link was made for another account."))
    email = str(data.get("email", ""))
    if _email_taken(user, email):
        raise ValidationError(_("This address cannot be used. Ask the customer centre if it is yours."))
    before = user.contact_email
    user.email = email
    user.save(update_fields=["email"])
    audit_record(
        actor=user,
        action="account.email_changed",
        obj=user,
        before={"email": before},
        after={"ip": ip_address, "email": email},
    )
    return email

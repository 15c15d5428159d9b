"""Audit events for logging in and out, failures, lockouts, and changes of a staff role or of access.

Every event carries the client address (core.client_ip). Receivers are connected in
AccountsConfig.ready(); the OIDC login (another backend) gets the same events through Django's signals.
"""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.sessions import LAST_SEEN_KEY
from core.audit import audit_record
from core.client_ip import client_ip

USER_TYPE = "accounts.user"


def _ip(request: HttpRequest | None) -> str:
    return client_ip(request) if request is not None else ""


def _user_by_email(email: str | None) -> Any:
    if not email:
        return None
    return get_user_model().objects.filter(email=email.strip().lower()).first()


def record(*, action: str, request: HttpRequest | None, user: Any = None, actor: Any = None, **after: Any) -> None:
    """One security event about ``user`` (None: an account that does not exist), with the client address."""
    audit_record(
        actor=actor if actor is not None else user,
        action=action,
        obj=user,
        object_type=USER_TYPE,
        after={"ip": _ip(request), **after},
    )


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    method = request.session.get("auth_method", "password") if request is not None else "password"
    record(action="auth.login", request=request, user=user, method=method)


@receiver(user_logged_in, dispatch_uid="accounts.idle_clock")
def _start_idle_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The idle time-out counts from the login, so the first page after it writes no session."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(action="auth.logout", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    from accounts.throttle import username_of

    email = username_of(request, credentials)
    locked = bool(getattr(request, "axes_locked_out", False))
    step_up = request is not None and request.path == "/step-up/"
    record(
        action="auth.step_up_failed" if step_up else "auth.login_failed",
        request=request,
        user=_user_by_email(email),
        actor=None,
        email=email or "",
        refused_while_locked=locked,
    )


@receiver(user_locked_out, dispatch_uid="accounts.audit_locked_out")
def _locked_out(sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any) -> None:
    # axes sends this for the failure that locks and for every attempt refused while locked; record the lock once.
    if getattr(request, "_audited_lockout", False):
        return
    request._audited_lockout = True  # type: ignore[attr-defined]  # our own marker on the request
    record(action="auth.locked_out", request=request, user=_user_by_email(username), actor=None, email=username or "")


@receiver(pre_save, sender="accounts.User", dispatch_uid="accounts.remember_access")
def _remember_access(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    instance._access_before = None
    if instance.pk is None or (
        update_fields is not None and not {"staff_role", "is_superuser", "is_active"} & set(update_fields)
    ):
        return
    previous = sender.objects.filter(pk=instance.pk).values("staff_role", "is_superuser", "is_active").first()
    instance._access_before = previous
    if previous is not None and previous["is_active"] and not instance.is_active:
        # Deactivation ends every session at once, and for good: the sessions' auth hash includes the
        # generation (User._get_session_auth_hash), so reactivating does not bring them back.
        instance.session_generation += 1


@receiver(post_save, sender="accounts.User", dispatch_uid="accounts.audit_access")
def _audit_access(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_access_before", None)
    if created or before is None:
        return
    after = {"staff_role": instance.staff_role, "is_superuser": instance.is_superuser, "is_active": instance.is_active}
    if before == after:
        return
    action = "account.role_changed"
    if before["is_active"] != after["is_active"]:
        action = "account.deactivated" if not after["is_active"] else "account.reactivated"
    request = getattr(instance, "_audit_request", None)
    audit_record(
        actor=getattr(request, "user", None),
        action=action,
        obj=instance,
        before=before,
        after={**after, "ip": _ip(request)},
    )


@receiver(post_save, sender="accounts.User", dispatch_uid="accounts.audit_password_changed")
def _audit_password_changed(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A new password (the change page, a reset, the admin, ``changepassword``): an event, never the password.

    ``AbstractBaseUser.set_password`` keeps the raw password in ``_password`` until the save that stores its hash
    has run, so this post_save sees whether this save stored a new password.
    """
    if created or getattr(instance, "_password", None) is None:
        return
    request = getattr(instance, "_audit_request", None)
    actor = getattr(request, "user", None) if request is not None else instance
    audit_record(actor=actor, action="auth.password_changed", obj=instance)

"""Sessions: a new id at login, at the second factor and at the signing step-up; an idle time-out
besides the absolute one; deactivation ends a user's sessions for good. And the audit events of
logging in and out, failures, lockouts and changes of access, each with the client address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent

PASSWORD = "correct-horse-battery"
LOGIN = reverse("accounts:login")
ORGANISATIONS = reverse("organisations:organisation_list")


def session_id(client: Any) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(dt.datetime(2030, 5, 6, 8, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def test_the_session_id_changes_at_the_signing_step_up(world: Any, terms: Any, login: Any) -> None:
    client = login(world["admin_a"])
    client.get("/")
    before = session_id(client)

    shown = {"terms_version": terms.published.pk, "terms_sha256": terms.published.text_sha256}
    response = client.post(
        reverse("memberships:sign", args=[world.org_a.pk]), {"password": PASSWORD, "confirm": "on", **shown}
    )

    assert response.status_code == 302
    assert session_id(client) != before
    assert client.session[SESSION_KEY] == str(world["admin_a"].pk)


@pytest.mark.parametrize(("role", "idle_minutes"), [("membership_manager", 30), ("admin_a", 60)])
def test_an_idle_session_ends(world: Any, login: Any, clock: Any, role: str, idle_minutes: int) -> None:
    client = login(world[role])
    page = "/"
    assert client.get(page).status_code == 200

    clock.shift(dt.timedelta(minutes=idle_minutes - 1))
    assert client.get(page).status_code == 200  # activity: the idle clock starts again
    clock.shift(dt.timedelta(minutes=idle_minutes - 1))
    assert client.get(page).status_code == 200
    clock.shift(dt.timedelta(minutes=idle_minutes, seconds=1))

    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert SESSION_KEY not in client.session


def test_the_idle_limits_are_configurable(world: Any, login: Any, clock: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES_MEMBERS = 5
    client = login(world["admin_a"])
    client.get("/")
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_their_sessions_at_once_and_reactivating_does_not_revive_them(
    world: Any, login: Any
) -> None:
    user = world["membership_manager"]
    first, second = Client(), Client()
    first.force_login(user, backend="accounts.backends.PortalBackend")
    second.force_login(user, backend="accounts.backends.PortalBackend")
    assert first.get(ORGANISATIONS).status_code == 200

    user.is_active = False
    user.save()
    assert first.get(ORGANISATIONS)["Location"].startswith(LOGIN)

    user.is_active = True
    user.save()
    for client in (first, second):
        response = client.get(ORGANISATIONS)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # a new login works
    fresh = Client()
    assert fresh.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302


def test_deactivation_in_the_admin_is_audited_with_who_and_from_where(world: Any, login: Any) -> None:
    admin_user = world["system_admin"]
    target = world["membership_manager"]
    client = login(admin_user)
    page = client.get(reverse("admin:accounts_user_change", args=[target.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"password", "last_login"}}
    data.update(
        {"is_active": "", "staff_role": "cert_analyst", "date_joined_0": "2024-01-01", "date_joined_1": "10:00"}
    )
    data.pop("date_joined", None)

    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), data, REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    event = AuditEvent.objects.get(action="account.deactivated", object_id=str(target.pk))
    assert event.actor == admin_user
    assert event.before["staff_role"] == "membership_manager" and event.after["staff_role"] == "cert_analyst"
    assert event.after["ip"] == "192.0.2.44"


def test_a_change_of_staff_role_is_an_audit_event(world: Any) -> None:
    user = world["cert_analyst"]
    user.staff_role = "system_admin"
    user.save()
    event = AuditEvent.objects.get(action="account.role_changed", object_id=str(user.pk))
    assert event.before["staff_role"] == "cert_analyst" and event.after["staff_role"] == "system_admin"


def test_login_failure_logout_and_lockout_are_audit_events_with_the_address(world: Any, client: Any) -> None:
    extra = {"REMOTE_ADDR": "198.51.100.23"}
    client.post(LOGIN, {"username": "admin.a@example.no", "password": "wrong"}, **extra)
    client.post(LOGIN, {"username": "nobody@example.no", "password": "wrong"}, **extra)
    client.post(LOGIN, {"username": "admin.a@example.no", "password": PASSWORD}, **extra)
    client.post(reverse("accounts:logout"), **extra)
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "member.a@example.no", "password": f"w{n}"}, REMOTE_ADDR=f"198.51.100.{n}")

    events = list(AuditEvent.objects.order_by("id").values_list("action", "object_id", "after__ip", "after__email"))
    admin_a, member_a = str(world["admin_a"].pk), str(world["member_a"].pk)
    assert events[:4] == [
        ("auth.login_failed", admin_a, "198.51.100.23", "admin.a@example.no"),
        ("auth.login_failed", "", "198.51.100.23", "nobody@example.no"),
        ("auth.login", admin_a, "198.51.100.23", None),
        ("auth.logout", admin_a, "198.51.100.23", None),
    ]
    assert (
        "auth.locked_out",
        member_a,
        f"198.51.100.{settings.LOGIN_FAILURE_LIMIT - 1}",
        "member.a@example.no",
    ) in events
    assert sum(e[0] == "auth.locked_out" for e in events) == 1

"""Logins that cannot be guessed: django-axes throttles failures per account and per client address,
the password step-up at signing counts the same, a forged X-Forwarded-For does not help, the user is
told when to try again, and the customer centre can unlock.

The world's users have the password "correct-horse-battery". LOGIN_FAILURE_LIMIT is 5 by default."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.throttle import StepUpLocked, check_step_up
from core.models import AuditEvent

PASSWORD = "correct-horse-battery"
LOGIN = reverse("accounts:login")
WRONG_NB = "E-postadressen eller passordet er feil."
LOCKED_NB = "For mange mislykkede forsøk. Prøv igjen etter kl."


def attempt(client: Any, email: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def evaluated(response: Any) -> bool:
    """The password was checked (and found wrong): the ordinary error, not the lock."""
    return response.status_code == 200 and WRONG_NB in response.content.decode()


def locked(response: Any) -> bool:
    return response.status_code == 429 and LOCKED_NB in response.content.decode()


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(dt.datetime(2030, 5, 6, 10, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def test_100_wrong_passwords_for_one_account_from_100_addresses_lock_the_account(
    world: Any, client: Any, frozen: Any
) -> None:
    results = [
        attempt(client, "admin.a@example.no", f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n + 1}") for n in range(100)
    ]

    checked = sum(evaluated(r) for r in results)
    assert checked == settings.LOGIN_FAILURE_LIMIT - 1
    assert locked(results[checked])  # the failure that reaches the limit already says so
    assert all(locked(r) for r in results[checked:])
    # The right password, from a fresh address, in any case: refused while the lock lasts.
    for email in ("admin.a@example.no", "ADMIN.A@example.no"):
        response = attempt(client, email, PASSWORD, REMOTE_ADDR="203.0.113.9")
        assert locked(response)
        assert SESSION_KEY not in client.session

    frozen.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES - 1))
    assert locked(attempt(client, "admin.a@example.no", PASSWORD, REMOTE_ADDR="203.0.113.9"))
    frozen.shift(dt.timedelta(minutes=1, seconds=1))
    response = attempt(client, "admin.a@example.no", PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world["admin_a"].pk)


def test_the_locked_user_is_told_when_to_try_again(world: Any, client: Any, frozen: Any) -> None:
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        response = attempt(client, "admin.a@example.no", f"guess-{n}")

    assert response.status_code == 429
    # 10:00 UTC is 12:00 in Oslo in May; the lock lifts 15 minutes after the last failure.
    assert "Prøv igjen etter kl. 12:15 (om 15 minutter)" in response.content.decode()
    assert "Innloggingen er satt på pause" in response.content.decode()


def test_a_200_account_spray_from_one_address_is_throttled(world: Any, client: Any, frozen: Any) -> None:
    results = [attempt(client, f"person{n}@example.no", "Sommer2025!") for n in range(200)]

    assert sum(evaluated(r) for r in results) == settings.LOGIN_FAILURE_LIMIT - 1
    assert sum(locked(r) for r in results) == 200 - (settings.LOGIN_FAILURE_LIMIT - 1)
    # Even a real account with its right password is refused from that address now.
    assert locked(attempt(client, "member.a@example.no", PASSWORD))
    # From another address the real user gets in.
    assert attempt(client, "member.a@example.no", PASSWORD, REMOTE_ADDR="203.0.113.50").status_code == 302


def test_a_forged_x_forwarded_for_neither_escapes_nor_resets_the_limit(world: Any, client: Any, frozen: Any) -> None:
    """No trusted proxy configured: the header is ignored altogether."""
    results = [
        attempt(client, f"person{n}@example.no", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 10.0.0.{n}")
        for n in range(20)
    ]

    assert sum(evaluated(r) for r in results) == settings.LOGIN_FAILURE_LIMIT - 1
    assert locked(attempt(client, "member.a@example.no", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.77"))


def test_behind_the_trusted_proxy_only_the_address_it_appended_counts(
    world: Any, client: Any, frozen: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # The attacker at 198.51.100.66 puts a new address at the left of the header each time; the proxy
    # appends the real one at the right.
    results = [
        attempt(client, f"person{n}@example.no", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.66", **proxy)
        for n in range(20)
    ]
    assert sum(evaluated(r) for r in results) == settings.LOGIN_FAILURE_LIMIT - 1
    assert locked(attempt(client, "member.a@example.no", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy))
    # Another client behind the same proxy is not locked out with the attacker.
    other = attempt(client, "member.a@example.no", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert other.status_code == 302
    failed = AuditEvent.objects.filter(action="auth.login_failed").values_list("after__ip", flat=True)
    assert set(failed) == {"198.51.100.66"}


def test_a_header_from_an_untrusted_peer_is_not_believed(world: Any, client: Any, settings: Any) -> None:
    from django.test import RequestFactory

    from core.client_ip import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    factory = RequestFactory()
    assert client_ip(factory.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "198.51.100.1"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")) == "5.6.7.8"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="bogus")) == "10.0.0.2"
    assert client_ip(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_30_wrong_superuser_passwords_on_the_admin_login_are_throttled(world: Any, client: Any, frozen: Any) -> None:
    url = reverse("admin:login")
    results = [client.post(url, {"username": "root@nhn.example.no", "password": f"p{n}"}) for n in range(30)]

    assert sum(r.status_code == 200 for r in results) == settings.LOGIN_FAILURE_LIMIT - 1
    assert sum(r.status_code == 429 for r in results) == 30 - (settings.LOGIN_FAILURE_LIMIT - 1)


def test_existing_and_unknown_accounts_get_the_same_answer_and_the_same_work(
    world: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same message, and one password hash computed either way (Django's ModelBackend hashes the
    password for an unknown account too), so timing does not tell them apart. bench/login_timing.py
    measures it with the real hasher."""
    calls: list[str] = []
    original = MD5PasswordHasher.encode

    def counting(self: Any, password: str, salt: str) -> str:
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    known = attempt(client, "admin.a@example.no", "wrong-password", REMOTE_ADDR="198.51.100.1")
    known_hashes, calls[:] = len(calls), []
    unknown = attempt(client, "nobody@example.no", "wrong-password", REMOTE_ADDR="198.51.100.2")

    assert known_hashes == len(calls) == 1
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    # and both are locked alike
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        known = attempt(client, "admin.a@example.no", f"w{n}", REMOTE_ADDR=f"198.51.101.{n}")
        unknown = attempt(client, "nobody@example.no", f"w{n}", REMOTE_ADDR=f"198.51.102.{n}")
    assert known.status_code == unknown.status_code == 429


def test_the_signing_step_up_is_throttled_too(world: Any, frozen: Any) -> None:
    user = world["admin_a"]
    outcomes = []
    for n in range(10):
        try:
            outcomes.append(check_step_up(user=user, password=f"guess-{n}", ip_address="198.51.100.7"))
        except StepUpLocked as locked_out:
            outcomes.append(str(locked_out))
    assert outcomes[: settings.LOGIN_FAILURE_LIMIT - 1] == [False] * (settings.LOGIN_FAILURE_LIMIT - 1)
    assert all(isinstance(o, str) and "Prøv igjen etter kl." in o for o in outcomes[settings.LOGIN_FAILURE_LIMIT - 1 :])
    with pytest.raises(StepUpLocked):
        check_step_up(user=user, password=PASSWORD, ip_address="203.0.113.1")
    assert AuditEvent.objects.filter(action="auth.step_up_failed", object_id=str(user.pk)).count() >= 4
    frozen.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
    assert check_step_up(user=user, password=PASSWORD, ip_address="203.0.113.1") is True


def test_the_signing_page_says_so_when_the_step_up_is_locked(world: Any, terms: Any, login: Any, frozen: Any) -> None:
    client = login(world["admin_a"])
    url = reverse("memberships:sign", args=[world.org_a.pk])
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        shown = {"terms_version": terms.published.pk, "terms_sha256": terms.published.text_sha256}
        response = client.post(url, {"password": f"guess-{n}", "confirm": "on", **shown})
    assert response.status_code == 400
    assert "Prøv igjen etter kl." in response.content.decode()
    assert not world.org_a.signatures.exists()


def test_the_customer_centre_unlocks_an_account(world: Any, client: Any, login: Any, frozen: Any) -> None:
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "admin.a@example.no", f"guess-{n}", REMOTE_ADDR=f"198.51.100.{n}")
    assert locked(attempt(client, "admin.a@example.no", PASSWORD, REMOTE_ADDR="203.0.113.1"))

    agent = login(world["customer_centre"])
    page = agent.get(reverse("accounts:unlock"))
    assert "admin.a@example.no" in page.content.decode()
    response = agent.post(reverse("accounts:unlock"), {"email": "Admin.A@example.no"})
    assert response.status_code == 302
    agent.logout()

    assert attempt(client, "admin.a@example.no", PASSWORD, REMOTE_ADDR="203.0.113.1").status_code == 302
    event = AuditEvent.objects.get(action="auth.unlocked")
    assert event.actor == world["customer_centre"] and event.object_id == str(world["admin_a"].pk)
    assert event.after["email"] == "admin.a@example.no"


@pytest.mark.parametrize("role", ["member_a", "admin_a", "membership_manager", "cert_analyst"])
def test_others_cannot_unlock(world: Any, login: Any, role: str) -> None:
    client = login(world[role])
    assert client.post(reverse("accounts:unlock"), {"email": "admin.a@example.no"}).status_code == 403


def test_an_empty_unlock_form_says_what_is_missing(world: Any, login: Any) -> None:
    response = login(world["customer_centre"]).post(reverse("accounts:unlock"), {})
    assert response.status_code == 200
    assert "Oppgi e-postadressen eller klientadressen som skal låses opp." in response.content.decode()

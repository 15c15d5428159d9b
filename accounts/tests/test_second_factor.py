"""The second factor NHN staff must pass: refused everywhere without it, passed with an authenticator
app's code, a recovery code (once) or a passkey (tests/browser/test_passkeys.py), enrolled on first login.

These tests opt out of conftest's default (staff sessions that have passed the second factor)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent

pytestmark = pytest.mark.without_second_factor

STAFF = ["membership_manager", "customer_centre", "cert_analyst", "system_admin", "superuser"]
VERIFY = reverse("accounts:second_factor_verify")
ENROL = reverse("accounts:second_factor")
STAFF_PAGES = [
    "/",
    reverse("organisations:organisation_list"),
    reverse("dashboards:status"),
    reverse("orders:queue"),
    reverse("accounts:unlock"),
    "/admin/",
    "/admin/accounts/user/",
]


def app_code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, drift=drift):06d}"


def with_app(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def session_id(client: Any) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("role", STAFF)
def test_a_staff_session_without_the_second_factor_reaches_no_staff_page_nor_the_admin(
    world: Any, login: Any, role: str
) -> None:
    with_app(world[role])
    client = login(world[role])
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, (role, path, response.status_code)
        assert response["Location"].startswith(VERIFY), (role, path, response["Location"])
    # writes are refused too, not only pages
    response = client.post(reverse("organisations:role_grant", args=[world.org_a.pk]), {})
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_staff_with_no_device_yet_are_sent_to_enrol_and_cannot_go_around_it(world: Any, login: Any) -> None:
    client = login(world["membership_manager"])

    response = client.get(reverse("organisations:organisation_list"))

    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert page.status_code == 200
    assert "Legg til en andre faktor for å fortsette" in page.content.decode()
    assert client.get(reverse("accounts:totp_add")).status_code == 200


def test_members_are_not_required_to_use_a_second_factor(world: Any, login: Any) -> None:
    client = login(world["admin_a"])
    assert client.get("/").status_code == 200
    assert client.get(reverse("organisations:organisation_detail", args=[world.org_a.pk])).status_code == 200


def test_an_enrolled_staff_member_cannot_add_a_device_before_passing_the_second_factor(world: Any, login: Any) -> None:
    """Otherwise a stolen password alone would let the thief add their own authenticator."""
    with_app(world["system_admin"])
    client = login(world["system_admin"])

    for path in (ENROL, reverse("accounts:totp_add")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), path
    response = client.post(reverse("otp_webauthn:credential-registration-begin"), content_type="application/json")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=world["system_admin"]).count() == 1


def test_the_code_of_the_authenticator_app_passes_and_gives_a_new_session_id(world: Any, login: Any) -> None:
    user = world["membership_manager"]
    device = with_app(user)
    client = login(user)
    before = session_id(client)

    wrong = client.post(VERIFY, {"token": "000000" if app_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Koden er feil, allerede brukt eller for gammel." in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttled_until = None
    device.save()

    response = client.post(VERIFY, {"token": app_code(device), "next": "/organisations/"})

    assert response.status_code == 302 and response["Location"] == "/organisations/"
    assert session_id(client) != before
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get("/organisations/").status_code == 200
    actions = list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", "after__ip"))
    assert ("auth.second_factor_failed", "127.0.0.1") in actions
    assert ("auth.second_factor_verified", "127.0.0.1") in actions


def test_a_code_passes_outside_a_test_transaction_as_on_a_real_server(
    transactional_db: Any, world: Any, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real request runs in autocommit (no ATOMIC_REQUESTS); the test client's usual wrapping transaction
    hid that django-otp locks the devices with SELECT ... FOR UPDATE, which PostgreSQL refuses outside a
    transaction: every staff code was a server error there. The check now runs in its own transaction
    (asserted directly too, since SQLite ignores FOR UPDATE and would not fail)."""
    from django.db import connection

    user = world["cert_analyst"]
    device = with_app(user)
    in_transaction: list[bool] = []
    original = TOTPDevice.verify_token

    def spy(self: TOTPDevice, token: str) -> bool:
        in_transaction.append(connection.in_atomic_block)
        return original(self, token)

    monkeypatch.setattr(TOTPDevice, "verify_token", spy)
    client = login(user)
    assert not connection.in_atomic_block  # no test transaction around the request

    response = client.post(VERIFY, {"token": app_code(device)})

    assert response.status_code == 302
    assert in_transaction == [True]
    assert client.get("/organisations/").status_code == 200


def test_a_code_is_accepted_once(world: Any, login: Any, client: Any) -> None:
    user = world["membership_manager"]
    device = with_app(user)
    code = app_code(device)
    assert login(user).post(VERIFY, {"token": code}).status_code == 302
    client.logout()

    again = login(user).post(VERIFY, {"token": code})

    assert again.status_code == 200
    assert client.get("/organisations/").status_code == 302


def test_a_recovery_code_works_once(world: Any, login: Any, client: Any) -> None:
    user = world["customer_centre"]
    with_app(user)
    recovery = StaticDevice.objects.create(user=user, name="recovery codes")
    recovery.token_set.create(token="abcd2345ef")

    assert login(user).post(VERIFY, {"token": "ABCD 2345 EF"}).status_code == 302
    assert client.get("/organisations/").status_code == 200
    client.logout()

    assert login(user).post(VERIFY, {"token": "abcd2345ef"}).status_code == 200
    assert client.get("/organisations/").status_code == 302


def test_first_enrolment_with_an_authenticator_app_shows_recovery_codes_once(world: Any, login: Any) -> None:
    user = world["cert_analyst"]
    client = login(user)
    page = client.get(reverse("accounts:totp_add"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:totp_add"), {"token": "12345"})
    assert wrong.status_code == 200 and "Koden er feil eller for gammel." in wrong.content.decode()

    shown = client.post(reverse("accounts:totp_add"), {"token": app_code(device)})

    assert shown.status_code == 200
    codes = shown.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in shown.content.decode() for code in codes)
    assert client.get("/organisations/").status_code == 200  # the enrolment passed the second factor
    assert codes[0] not in client.get(ENROL).content.decode()  # never shown again
    assert AuditEvent.objects.filter(action="auth.second_factor_added", object_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(action="auth.recovery_codes_generated", object_id=str(user.pk)).exists()


def test_staff_cannot_remove_their_last_passkey_or_app(world: Any, login: Any) -> None:
    user = world["membership_manager"]
    device = with_app(user)
    client = login(user)
    client.post(VERIFY, {"token": app_code(device)})

    client.post(reverse("accounts:device_remove", args=["totp", device.pk]))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    second = with_app(user)
    client.post(reverse("accounts:device_remove", args=["totp", device.pk]))
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert TOTPDevice.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.filter(action="auth.second_factor_removed", object_id=str(user.pk)).count() == 1


def test_nobody_removes_someone_elses_device(world: Any, login: Any) -> None:
    theirs = with_app(world["membership_manager"])
    with_app(world["customer_centre"])
    client = login(world["admin_a"])

    assert client.post(reverse("accounts:device_remove", args=["totp", theirs.pk])).status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


HELSEID = "https://helseid-sts.test.nhn.no"


@pytest.mark.parametrize(
    ("exempt", "issuer", "acr", "passes"),
    [
        (True, HELSEID, "high", True),
        (True, HELSEID, "substantial", False),
        (True, "https://idporten.test", "high", False),
        (False, HELSEID, "high", False),
    ],
)
def test_helseid_at_level_high_passes_only_when_configured(
    world: Any, login: Any, settings: Any, exempt: bool, issuer: str, acr: str, passes: bool
) -> None:
    settings.MFA_EXEMPT_HELSEID_HIGH = exempt
    settings.MFA_HELSEID_ISSUER = HELSEID
    settings.MFA_HELSEID_HIGH_ACR = ["high"]
    with_app(world["membership_manager"])
    client = login(world["membership_manager"])
    session = client.session
    session["auth_issuer"], session["auth_acr"] = issuer, acr
    session.save()

    assert (client.get("/organisations/").status_code == 200) is passes


@pytest.mark.parametrize(("provider", "passes"), [("helseid", True), ("idporten", False)])
def test_the_oidc_logins_session_record_counts_for_helseid_high(
    world: Any, login: Any, settings: Any, provider: str, passes: bool
) -> None:
    settings.MFA_EXEMPT_HELSEID_HIGH = True
    settings.MFA_HELSEID_HIGH_ACR = ["high"]
    with_app(world["membership_manager"])
    client = login(world["membership_manager"])
    session = client.session
    session["oidc"] = {"provider": provider, "acr": "high", "auth_time": 0}
    session.save()

    assert (client.get("/organisations/").status_code == 200) is passes

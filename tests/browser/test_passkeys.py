"""Passkeys for NHN staff in a real browser: Chromium's virtual authenticator (DevTools Protocol's
WebAuthn domain, through Playwright's CDP session) stands in for a phone or a security key.

WebAuthn needs a host name, not an IP address: pytest-django serves the live server on ``localhost``,
and the test names that origin as the only one passkeys are accepted from.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import DEMO_PASSWORD, assert_no_axe_violations, close_context, login, new_context

pytestmark = pytest.mark.browser

NILS = "nils@demo.medlemsportal.no"  # NHN membership manager (staff)


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None, live_server: Any, settings: Any) -> None:
    assert live_server.url.startswith("http://localhost:"), live_server.url
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def with_virtual_authenticator(browser: Browser) -> tuple[BrowserContext, Page]:
    context = new_context(browser)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return context, page


def log_in_with_password(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", NILS)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_nils_registers_a_passkey_logs_out_and_logs_in_with_it(browser: Browser, live_server: Any) -> None:
    from django_otp_webauthn.models import WebAuthnCredential

    from core.models import AuditEvent

    context, page = with_virtual_authenticator(browser)
    login(page, live_server, NILS)  # password, then the demo authenticator app's code

    page.goto(f"{live_server.url}/accounts/second-factor/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Legg til en passnøkkel").click()
    expect(page.locator("form[action*='/second-factor/passkey/']")).to_have_count(1)
    assert WebAuthnCredential.objects.filter(user__email=NILS, confirmed=True).count() == 1
    assert_no_axe_violations(page)

    page.locator(".account-menu summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Logg ut").click()

    log_in_with_password(page, live_server)
    assert page.url.startswith(f"{live_server.url}/accounts/second-factor/verify/"), page.url
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/organisations/")  # no staff page before the second factor
    assert page.url.startswith(f"{live_server.url}/accounts/second-factor/verify/"), page.url

    with page.expect_navigation(url=f"{live_server.url}/organisations/"):
        page.get_by_role("button", name="Bruk passnøkkelen min").click()
    expect(page.locator("h1")).to_be_visible()
    actions = list(AuditEvent.objects.filter(actor__email=NILS).values_list("action", flat=True))
    assert "auth.second_factor_added" in actions and "auth.second_factor_verified" in actions
    close_context(context)


def test_the_live_server_has_connections_of_its_own(live_server: Any) -> None:
    """The next journey writes through the ORM while the browser's last requests may still be in flight;
    over one shared SQLite connection that raised "database table is locked" (conftest's
    django_db_modify_db_settings)."""
    assert live_server.thread.connections_override == {}


def test_without_the_passkey_nils_stays_at_the_second_factor(browser: Browser, live_server: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # Nils's only factor is a passkey on another device: this browser has no authenticator at all.
    context, page = with_virtual_authenticator(browser)
    login(page, live_server, NILS)
    page.goto(f"{live_server.url}/accounts/second-factor/")
    page.get_by_role("button", name="Legg til en passnøkkel").click()
    expect(page.locator("form[action*='/second-factor/passkey/']")).to_have_count(1)
    close_context(context)
    TOTPDevice.objects.filter(user__email=NILS).delete()

    other = new_context(browser)
    page = other.new_page()
    log_in_with_password(page, live_server)
    assert page.url.startswith(f"{live_server.url}/accounts/second-factor/verify/"), page.url
    expect(page.get_by_role("button", name="Bruk passnøkkelen min")).to_be_visible()
    for path in ("/", "/organisations/", "/admin/"):
        page.goto(f"{live_server.url}{path}")
        assert page.url.startswith(f"{live_server.url}/accounts/second-factor/verify/"), (path, page.url)
    close_context(other)


AISHA = "aisha@demo.medlemsportal.no"  # NHN customer centre


def test_the_sign_in_security_pages_are_axe_clean(browser: Browser, live_server: Any) -> None:
    from axes.models import AccessAttempt
    from django.utils import timezone

    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, NILS)
    page.goto(f"{live_server.url}/accounts/second-factor/app/")
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/accounts/second-factor/")
    with page.expect_navigation():
        page.get_by_role("button", name="Lag gjenopprettingskoder").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_no_axe_violations(page)
    close_context(context)

    AccessAttempt.objects.create(
        username="someone@example.no",
        ip_address="198.51.100.9",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, AISHA)
    page.goto(f"{live_server.url}/accounts/unlock/")
    expect(page.get_by_text("someone@example.no")).to_be_visible()
    assert_no_axe_violations(page)
    close_context(context)

    # Last, as it locks this browser's address: the login page after five wrong passwords.
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    for n in range(5):
        page.fill("#id_username", "someone.else@example.no")
        page.fill("#id_password", f"guess-{n}")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    expect(page.get_by_text("Prøv igjen etter kl.")).to_be_visible()
    assert_no_axe_violations(page)
    close_context(context)

"""WCAG 2.1 A/AA checks with axe-core in a real browser, a reflow check at 320 px, and a keyboard-only login.

Run on their own: `pytest tests/browser -q` (they need Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from organisations.models import Organisation

from .conftest import (
    DEMO_PASSWORD,
    HtmlValidator,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    check_page,
    close_context,
    login,
    new_context,
)

pytestmark = pytest.mark.browser

KARI = "kari@demo.medlemsportal.no"  # signs for and administers Ringsaker kommune
NILS = "nils@demo.medlemsportal.no"  # NHN membership manager (staff)
SIRI = "siri@demo.medlemsportal.no"  # Diginettverk coordinator
ADMIN = "admin@demo.medlemsportal.no"  # system administrator (superuser)
RINGSAKER = "3411"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Every test here needs the reference data and the demo personas (see conftest.demo_data)."""


def ringsaker_url(live_server: Any) -> str:
    pk = Organisation.objects.get(municipality__number=RINGSAKER).pk
    return f"{live_server.url}/organisations/{pk}/"


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    expect(page.locator("h1")).to_be_visible()


# ------------------------------------------------------------------------------------------ anonymous


@pytest.mark.browser
def test_login_page(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    open_page(page, f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    # The stylesheet is served (colour contrast is only meaningful with it).
    expect(page.locator(".site-header")).to_have_css("background-color", "rgb(0, 73, 61)")
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_help_page_anonymous(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    open_page(page, f"{live_server.url}/help/")
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_login_page_with_failed_login(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    open_page(page, f"{live_server.url}/accounts/login/")
    page.fill("#id_username", KARI)
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()  # the focus moves to what went wrong
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    check_page(page, html_validator)
    assert_no_axe_violations(page)


# ------------------------------------------------------------------------------------------ signed in


@pytest.mark.browser
@pytest.mark.parametrize("email", [KARI, NILS])
def test_front_page(page: Page, live_server: Any, email: str, html_validator: HtmlValidator) -> None:
    login(page, live_server, email)
    expect(page.locator("h1")).to_be_visible()
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
@pytest.mark.parametrize(("email", "query"), [(NILS, ""), (NILS, "?q=ring"), (SIRI, "")])
def test_organisation_list(page: Page, live_server: Any, email: str, query: str, html_validator: HtmlValidator) -> None:
    login(page, live_server, email)
    open_page(page, f"{live_server.url}/organisations/{query}")
    expect(page.locator(".result-count")).to_be_visible()
    if query:
        expect(page.locator("table.table tbody")).to_contain_text("Ringsaker")
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_the_header_search_finds_a_misspelt_name_and_a_number_opens_the_organisation(
    page: Page, live_server: Any, html_validator: HtmlValidator
) -> None:
    login(page, live_server, NILS)
    # The results page, as the header's form submits it (the type-ahead is covered by
    # dashboards/tests/test_find.py: on the embedded database a burst of type-ahead requests from one
    # browser contends for SQLite's single writer).
    open_page(page, f"{live_server.url}/find/?q=ringsakr")
    expect(page.locator("h1")).to_have_text(re.compile("Find an organisation|Finn en organisasjon"))
    expect(page.locator("table.table tbody")).to_contain_text("Ringsaker")
    check_page(page, html_validator)
    assert_no_axe_violations(page)
    number = page.locator("table.table tbody td.nowrap").first.inner_text()
    open_page(page, f"{live_server.url}/find/?q={number}")
    expect(page.locator("h1")).to_contain_text("Ringsaker")


@pytest.mark.browser
def test_organisation_detail_with_role_grant_form(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(page, live_server, KARI)
    open_page(page, ringsaker_url(live_server))
    expect(page.locator("h1")).to_contain_text("Ringsaker")
    # Kari administers Ringsaker kommune, so the page offers her the form that gives a person a role.
    expect(page.locator("#grant-title")).to_be_visible()
    expect(page.locator("form[aria-labelledby=grant-title] button[type=submit]")).to_be_visible()
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_organisation_detail_as_staff(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(page, live_server, NILS)
    open_page(page, ringsaker_url(live_server))
    expect(page.locator("h1")).to_contain_text("Ringsaker")
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_access_log_after_staff_opened_the_organisation(
    page: Page, live_server: Any, html_validator: HtmlValidator
) -> None:
    """Nils (NHN) opens Ringsaker; Kari, its administrator, sees that on the organisation's access log."""
    login(page, live_server, NILS)
    open_page(page, ringsaker_url(live_server))
    page.context.clear_cookies()
    login(page, live_server, KARI)
    open_page(page, ringsaker_url(live_server) + "access-log/")
    expect(page.locator("table caption")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("nils@demo.medlemsportal.no")
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_password_change_page(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(page, live_server, KARI)
    open_page(page, f"{live_server.url}/accounts/password/")
    expect(page.locator("main form input[type=password]").first).to_be_visible()
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_email_address_page(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(page, live_server, KARI)
    open_page(page, f"{live_server.url}/accounts/email/")
    expect(page.locator("main input[type=email]")).to_be_visible()
    assert_no_axe_violations(page)
    check_page(page, html_validator)


@pytest.mark.browser
def test_help_page_signed_in_with_open_account_menu(
    page: Page, live_server: Any, html_validator: HtmlValidator
) -> None:
    login(page, live_server, ADMIN)
    open_page(page, f"{live_server.url}/help/")
    page.click(".account-menu summary")
    expect(page.locator(".account-menu ul")).to_be_visible()
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_english_version(page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(page, live_server, KARI)
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click(".language-form button[type=submit]")
    expect(page.locator("html[lang=en]")).to_have_count(1)
    assert page.url == f"{live_server.url}/"
    expect(page.locator("a.skip-link")).to_have_text("Skip to main content")
    check_page(page, html_validator)
    assert_no_axe_violations(page)
    # The choice sticks on the next page too.
    open_page(page, ringsaker_url(live_server))
    expect(page.locator("html[lang=en]")).to_have_count(1)
    check_page(page, html_validator)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_publishing_terms_asks_for_confirmation_then_shows_the_invitations_progress(
    page: Page, live_server: Any
) -> None:
    from memberships.models import TermsVersion

    draft = TermsVersion.objects.filter(published_at__isnull=True).first()
    assert draft is not None, "the demo data has a draft of the next terms"
    login(page, live_server, NILS)
    open_page(page, f"{live_server.url}{draft.get_absolute_url()}")
    expect(page.locator("label[for=id_confirm]")).to_be_visible()
    assert_no_axe_violations(page)
    # Without the tick the browser keeps the form (required); with it, the round starts.
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("form[action$='/publish/'] button[type=submit]")
    assert page.url == f"{live_server.url}{draft.get_absolute_url()}"
    expect(page.locator("progress#invitation-bar")).to_be_visible()
    expect(page.locator("#invitation-progress")).to_have_attribute("aria-live", "polite")
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_remind_everyone_preview(page: Page, live_server: Any) -> None:
    from memberships.models import TermsVersion

    version = TermsVersion.objects.published().first()
    assert version is not None
    login(page, live_server, NILS)
    open_page(page, f"{live_server.url}/status/remind-everyone/?version={version.pk}")
    assert_no_axe_violations(page)


# ----------------------------------------------------------------------------------- 320 px (reflow)


@pytest.mark.browser
def test_front_page_at_320px(narrow_page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(narrow_page, live_server, KARI)
    assert narrow_page.evaluate("window.innerWidth") == 320
    assert_no_horizontal_scroll(narrow_page)
    check_page(narrow_page, html_validator)
    assert_no_axe_violations(narrow_page)


@pytest.mark.browser
def test_organisation_list_at_320px(narrow_page: Page, live_server: Any, html_validator: HtmlValidator) -> None:
    login(narrow_page, live_server, NILS)
    open_page(narrow_page, f"{live_server.url}/organisations/")
    assert narrow_page.evaluate("document.documentElement.scrollWidth") <= 320 + 1
    assert_no_horizontal_scroll(narrow_page)
    check_page(narrow_page, html_validator)
    assert_no_axe_violations(narrow_page)


# ------------------------------------------------------------------------------------ the harness


@pytest.mark.browser
def test_axe_helper_fails_on_a_real_violation(page: Page, live_server: Any) -> None:
    """A control: the helper does fail when a page breaks WCAG, so a green run means something."""
    open_page(page, f"{live_server.url}/help/")
    page.evaluate(
        """() => {
            const p = document.createElement("p");
            p.textContent = "Pale text";
            p.style.color = "#cccccc";
            document.querySelector("main").append(p);
            const img = document.createElement("img");
            img.src = "/static/missing.png";
            document.querySelector("main").append(img);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_axe_violations(page)
    message = str(failure.value)
    assert "color-contrast [serious]" in message
    assert "image-alt [critical]" in message


def test_the_harness_catches_a_content_security_policy_violation(browser: Any, live_server: Any) -> None:
    """A control: an inline script is refused by the CSP, and the harness notices."""
    context = new_context(browser)
    page = context.new_page()
    open_page(page, f"{live_server.url}/help/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.append(s);
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        close_context(context)


# ---------------------------------------------------------------------------------------- keyboard


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || "").trim(),
                    href: el.getAttribute("href"), cls: el.className};
        }"""
    )


@pytest.mark.browser
def test_keyboard_only_login(page: Page, live_server: Any) -> None:
    open_page(page, f"{live_server.url}/accounts/login/")
    with translation.override("nb"):
        skip_text = translation.gettext("Skip to main content")
    assert skip_text == "Hopp til hovedinnhold", "locale/nb is not compiled or lacks the skip link"

    # The login form puts focus in the e-mail field on load (autofocus). Start from the top of the
    # document instead, as a keyboard user arriving at any other page would.
    assert focused(page)["id"] == "id_username"
    page.evaluate(
        """() => {
            document.body.setAttribute("tabindex", "-1");
            document.body.focus();
            document.body.removeAttribute("tabindex");
        }"""
    )
    assert focused(page)["tag"] == "body"

    # The first Tab reaches the skip link, which becomes visible when focused.
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["tag"] == "a" and first["href"] == "#main", f"first Tab stop is {first}"
    assert first["text"] == skip_text, f"skip link reads {first['text']!r}"
    skip = page.locator("a.skip-link")
    expect(skip).to_be_visible()
    assert skip.bounding_box()["y"] >= 0, "the focused skip link is still off-screen"

    # Enter follows it: the URL gets #main and focus moves into the main region.
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))
    assert focused(page)["id"] == "main"

    # From <main>, Tab walks to the e-mail field, then the password field; Enter submits.
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused(page)["id"] == "id_username":
            break
    assert focused(page)["id"] == "id_username", f"Tab never reached the e-mail field; at {focused(page)}"
    page.keyboard.type(KARI)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The browser carries the #main fragment across the redirect after the POST; the page is the front page.
    assert page.url.split("#")[0] == f"{live_server.url}/"
    expect(page.locator("h1")).to_contain_text("Kari")
    expect(page.locator(".account-menu summary")).to_be_visible()


# ------------------------------------------------------------------ three languages (issue 20)


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.browser
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_journey_in_each_language_chosen_with_the_picker(
    page: Page, live_server: Any, language: str, html_validator: HtmlValidator
) -> None:
    """Kari picks the language in the header; the front page, the help page, her organisation and the
    events read in it (the skip link, the footer, the help page's heading), validate and fit 320 px."""
    expected = {text: _in(language, text) for text in ("Skip to main content", "Need help?", "Help and contact")}
    if language != "en":  # the catalogue is compiled: the Norwegian texts are not the English ones
        assert expected["Skip to main content"] != "Skip to main content"
    assert _in("nb", "Skip to main content") != _in("nn", "Skip to main content")
    login(page, live_server, KARI)
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    if language != "nb":
        page.select_option("#language-select", language)
        with page.expect_navigation():
            page.click(".language-form button[type=submit]")
    for path in ("/", "/help/", ringsaker_url(live_server).removeprefix(live_server.url), "/events/"):
        open_page(page, f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("a.skip-link")).to_have_text(expected["Skip to main content"])
        expect(page.locator(".site-footer__title")).to_have_text(expected["Need help?"])
        if path == "/help/":
            expect(page.locator("h1")).to_have_text(expected["Help and contact"])
        expect(page.locator("#language-select option:checked")).to_have_attribute("value", language)
        check_page(page, html_validator)
        assert_no_axe_violations(page)


# ------------------------------------------------------------- the member's own connection (issue 20)


@pytest.mark.browser
def test_the_member_corrects_and_asks_to_change_a_connection_and_staff_answer(
    page: Page, live_server: Any, browser: Any, html_validator: HtmlValidator
) -> None:
    """Ingrid (Ringsaker's IT manager) corrects the site and asks for more bandwidth; Aisha at the
    customer centre accepts it from the queue. Every page: axe, the validator and 320 px."""
    from connections.models import ChangeRequest, Connection

    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    connection = Connection.objects.filter(organisation=ringsaker).exclude(status="decommissioned").first()
    assert connection is not None, "seed_demo gives Ringsaker a connection"
    login(page, live_server, "ingrid@demo.medlemsportal.no")
    open_page(page, f"{live_server.url}{connection.get_absolute_url()}")
    page.click(f"a[href='/connections/{connection.pk}/details/']")
    expect(page.locator("#id_site_address")).to_be_visible()
    check_page(page, html_validator)
    assert_no_axe_violations(page)
    page.fill("#id_site_address", "Rådhusgata 2, Brumunddal")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("Rådhusgata 2, Brumunddal")
    open_page(page, f"{live_server.url}/connections/{connection.pk}/request-change/")
    check_page(page, html_validator)
    assert_no_axe_violations(page)
    page.fill("#id_bandwidth_mbps", str(connection.bandwidth_mbps * 10))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    request = ChangeRequest.objects.get(connection=connection)
    assert page.url == f"{live_server.url}{request.get_absolute_url()}"
    check_page(page, html_validator)
    assert_no_axe_violations(page)

    staff = new_context(browser)
    agent = staff.new_page()
    login(agent, live_server, "aisha@demo.medlemsportal.no")
    open_page(agent, f"{live_server.url}/connections/requests/")
    check_page(agent, html_validator)
    assert_no_axe_violations(agent)
    open_page(agent, f"{live_server.url}{request.get_absolute_url()}")
    check_page(agent, html_validator)
    assert_no_axe_violations(agent)
    agent.check("input[name=decision][value=accept]")
    with agent.expect_navigation():
        agent.click("main form button[type=submit]")
    close_context(staff)
    request.refresh_from_db()
    connection.refresh_from_db()
    assert request.status == "accepted" and connection.bandwidth_mbps == request.wanted["bandwidth_mbps"]

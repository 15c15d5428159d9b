"""The status pages in a real browser: WCAG 2.1 A/AA with axe-core at each step, and reflow at 320 px.

Nils (membership manager) opens Status from the main menu, sets the as-of and compare dates through the
form, opens the figures behind the chart, goes to the list of who has not signed and reminds one of
them. Siri (coordinator) sees her network's page; anyone sees the public page from the footer.

The demo data here has the terms 2025 published and nobody signed (conftest.demo_data); a few
municipalities sign in ``signed_a_few`` so the tables show shares, bars and changes.

Run on their own: `pytest tests/browser -q`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.models import OutboundEmail
from memberships.models import ReminderLog, TermsVersion
from memberships.services import Authority, record_signature
from organisations.models import Organisation, OrganisationRole
from organisations.tests.factories import UserFactory

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser

NILS = "nils@demo.medlemsportal.no"  # NHN membership manager (staff)
SIRI = "siri@demo.medlemsportal.no"  # Diginettverk coordinator (Digi Innlandet)
RINGSAKER = "3411"
OSLO = ZoneInfo("Europe/Oslo")
AS_OF, COMPARE = "2025-03-10", "2025-02-01"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Every test here needs the reference data and the demo personas (see conftest.demo_data)."""


@pytest.fixture
def signed_a_few(_demo_data: None) -> dict[str, int]:
    """Three municipalities of Ringsaker's Diginettverk and two elsewhere sign the terms 2025, before
    and after the compare day."""
    version = TermsVersion.objects.get(label="2025")
    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    network = ringsaker.municipality.diginettverk
    municipalities = Organisation.objects.filter(form="KOMM").exclude(pk=ringsaker.pk).order_by("municipality__number")
    inside = list(municipalities.filter(municipality__diginettverk=network)[:3])
    outside = list(municipalities.exclude(municipality__diginettverk=network)[:2])
    moments = [(2025, 1, 20), (2025, 2, 12), (2025, 3, 5), (2025, 1, 28), (2025, 3, 3)]
    for organisation, (year, month, day) in zip(inside + outside, moments, strict=True):
        signer = UserFactory(full_name=f"Signatar {organisation.name}")
        grant = OrganisationRole.objects.create(
            user=signer, organisation=organisation, role="signatory", signatory_basis="signature_right"
        )
        record_signature(
            organisation=organisation,
            version=version,
            signer=signer,
            authority=Authority(grant=grant, basis=grant.signatory_basis, text="Signaturrett"),
            signed_at=dt.datetime(year, month, day, 10, 0, tzinfo=OSLO),
            notify=False,
        )
    return {
        "network_total": Organisation.objects.filter(form="KOMM", municipality__diginettverk=network).count(),
        "network_signed": len(inside),
    }


def headline(page: Page) -> str:
    return " ".join(page.locator("#headline").inner_text().split())


def open_status_from_menu(page: Page, live_server: Any) -> None:
    link = page.locator(".site-nav a[href='/status/']")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert page.url == f"{live_server.url}/status/"
    expect(page.locator(".site-nav a[href='/status/']")).to_have_attribute("aria-current", "page")
    expect(page.locator("h1")).to_be_visible()


# ------------------------------------------------------------------------------------ membership manager


def test_status_page_with_dates_and_the_chart_figures(page: Page, live_server: Any, signed_a_few: Any) -> None:
    login(page, live_server, NILS)
    open_status_from_menu(page, live_server)
    assert re.match(r"^5 \D+ 357 ", headline(page)), headline(page)  # 5 of 357 today
    assert_no_axe_violations(page)

    # As of 10 March 2025, compared with 1 February 2025, through the form.
    page.fill("#id_as_of", AS_OF)
    page.fill("#id_compare", COMPARE)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert f"as_of={AS_OF}" in page.url and f"compare={COMPARE}" in page.url
    expect(page.locator(".error-summary")).to_have_count(0)
    assert re.match(r"^5 \D+ 357 ", headline(page)), headline(page)  # all five had signed by 10 March
    expect(page.locator("#id_as_of")).to_have_value(AS_OF)
    networks = page.locator("table:has(caption#networks-caption)")
    expect(networks.locator("thead th")).to_have_count(6)  # name, signed, total, share, before, change
    expect(networks.locator("tbody td", has_text=re.compile(r"^\+\d+$")).first).to_be_visible()
    assert_no_axe_violations(page)

    # The figures behind the chart, in the closed <details>.
    details = page.locator("main details.chart-data")
    weekly = page.locator("table:has(caption#weekly-caption)")
    expect(weekly).to_be_hidden()
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(weekly).to_be_visible()
    expect(weekly.locator("tbody tr").last.locator("td")).to_have_text("5")
    assert_no_axe_violations(page)


def test_an_invalid_date_shows_the_error_summary(page: Page, live_server: Any) -> None:
    login(page, live_server, NILS)
    page.goto(f"{live_server.url}/status/?as_of=9999-01-01")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_as_of_error_1")).to_be_visible()
    assert_no_axe_violations(page)


def test_missing_list_and_remind_now(page: Page, live_server: Any, signed_a_few: Any) -> None:
    login(page, live_server, NILS)
    page.goto(f"{live_server.url}/status/")
    with page.expect_navigation():
        page.click("section[aria-labelledby=headline] a")
    assert page.url.startswith(f"{live_server.url}/status/missing/?version=")
    assert page.url.endswith("&who=municipalities")  # the headline counts municipalities: so does the list
    expect(page.locator(".filter-tabs a[aria-current=page]")).to_have_count(1)
    assert_no_axe_violations(page)

    # Everyone who must sign: municipalities and health enterprises.
    with page.expect_navigation():
        page.locator(".filter-tabs a").first.click()
    assert "who=" not in page.url
    expect(page.locator(".result-count")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(50)  # the first page
    assert_no_axe_violations(page)

    # Remind the first organisation that has someone to tell.
    row = page.locator("table tbody tr").filter(has=page.locator("a[href^='mailto:']")).first
    name = row.locator("th").inner_text().strip()
    organisation = Organisation.objects.get(name=name)
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    message = page.locator(".messages .message--success")
    expect(message).to_be_visible()
    expect(message).to_contain_text(name)
    step = f"manual-{timezone.localdate().isoformat()}"
    assert ReminderLog.objects.filter(organisation=organisation, step=step).count() == 1
    assert OutboundEmail.objects.filter(key__contains=f"{step}:").exists()
    assert_no_axe_violations(page)

    # The same button again the same day: an info message, nothing more queued.
    queued = OutboundEmail.objects.count()
    row = page.locator("table tbody tr").filter(has=page.locator("th", has_text=name)).first
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(page.locator(".messages .message--info")).to_contain_text(name)
    assert OutboundEmail.objects.count() == queued
    assert_no_axe_violations(page)


# ---------------------------------------------------------------------------------------- coordinator


def test_coordinator_status_page(page: Page, live_server: Any, signed_a_few: dict[str, int]) -> None:
    login(page, live_server, SIRI)
    open_status_from_menu(page, live_server)
    signed, total = signed_a_few["network_signed"], signed_a_few["network_total"]
    assert re.match(rf"^{signed} \D+ {total} ", headline(page)), headline(page)
    expect(page.locator("table:has(caption#networks-caption) tbody tr")).to_have_count(1)
    assert_no_axe_violations(page)


# ------------------------------------------------------------------------------------------ anonymous


def test_public_status_from_the_footer(page: Page, live_server: Any, signed_a_few: Any) -> None:
    page.goto(f"{live_server.url}/help/")
    with page.expect_navigation():
        page.click("footer a[href='/public/status/']")
    assert page.url == f"{live_server.url}/public/status/"
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("p.lead")).to_contain_text("357")
    expect(page.locator("a[href^='/status.json?date=']")).to_be_visible()
    assert_no_axe_violations(page)


def test_public_status_with_a_bad_date(page: Page, live_server: Any) -> None:
    response = page.goto(f"{live_server.url}/public/status/?date=abc")
    assert response is not None and response.status == 400
    expect(page.locator(".message--error")).to_be_visible()
    assert_no_axe_violations(page)


# ----------------------------------------------------------------------------------- 320 px (reflow)


def test_status_page_at_320px(narrow_page: Page, live_server: Any, signed_a_few: Any) -> None:
    login(narrow_page, live_server, NILS)
    narrow_page.goto(f"{live_server.url}/status/?as_of={AS_OF}&compare={COMPARE}")
    expect(narrow_page.locator("h1")).to_be_visible()
    assert narrow_page.evaluate("window.innerWidth") == 320
    assert_no_horizontal_scroll(narrow_page)
    assert_no_axe_violations(narrow_page)
    narrow_page.locator("main details.chart-data summary").click()
    for summary in narrow_page.locator("main details.status-downloads summary").all():
        summary.click()
    assert_no_horizontal_scroll(narrow_page)
    assert_no_axe_violations(narrow_page)


def test_missing_list_at_320px(narrow_page: Page, live_server: Any, signed_a_few: Any) -> None:
    login(narrow_page, live_server, NILS)
    narrow_page.goto(f"{live_server.url}/status/missing/")
    expect(narrow_page.locator("table tbody tr").first).to_be_attached()
    assert_no_horizontal_scroll(narrow_page)
    assert_no_axe_violations(narrow_page)


def test_public_status_at_320px(narrow_page: Page, live_server: Any, signed_a_few: Any) -> None:
    narrow_page.goto(f"{live_server.url}/public/status/")
    expect(narrow_page.locator("h1")).to_be_visible()
    assert_no_horizontal_scroll(narrow_page)
    assert_no_axe_violations(narrow_page)

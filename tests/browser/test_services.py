"""Services in a real browser: the municipal director signs the membership terms, re-signs the services in
use and orders a new one in one sitting; the customer centre takes the order to delivered; the director
sees it delivered. Every page is checked with axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from agreements.choices import AgreementState
from agreements.models import ServiceAgreement, ServiceSigning
from orders.choices import OrderState
from orders.models import Order
from organisations.models import Organisation

from .conftest import DEMO_PASSWORD, assert_no_axe_violations, close_context, login, new_context

pytestmark = pytest.mark.browser

KARI = "kari@demo.medlemsportal.no"  # municipal director of Ringsaker kommune
AISHA = "aisha@demo.medlemsportal.no"  # NHN customer centre


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data, personas, the catalogue and Ringsaker's agreements (two on old terms)."""


def submit(page: Page, form: str = "main form:has(input[name=step])") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()


def test_director_does_it_all_at_once_and_the_customer_centre_delivers(browser: Browser, live_server: Any) -> None:
    ringsaker = Organisation.objects.get(municipality__number="3411")
    flow_url = f"{live_server.url}{reverse('agreements:guided_flow', args=[ringsaker.pk])}"
    outdated = set(
        ServiceAgreement.objects.filter(organisation=ringsaker, state=AgreementState.MUST_RESIGN).values_list(
            "service__slug", flat=True
        )
    )
    assert outdated == {"kjernejournal", "e-resept"}

    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, KARI)

    # Step 1: the membership terms are not signed yet; the flow sends her to the signing page.
    page.goto(flow_url)
    expect(page.locator("[aria-current=step]")).to_contain_text("1.")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator(f"main a[href='{reverse('memberships:sign', args=[ringsaker.pk])}']").click()
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # Back in the flow, step 2 opens: both agreements on old terms are pre-selected for re-signing.
    page.goto(flow_url)
    expect(page.locator("[aria-current=step]")).to_contain_text("2.")
    keep = page.locator("input[name=keep]")
    assert keep.count() == 6
    for index in range(keep.count()):
        expect(keep.nth(index)).to_be_checked()
    assert_no_axe_violations(page)
    submit(page)

    # Step 3: she orders DigiHelsestasjon; Helsenorge, which it needs, is added for her and said so.
    expect(page.locator("[aria-current=step]")).to_contain_text("3.")
    assert_no_axe_violations(page)
    page.get_by_label("DigiHelsestasjon / Digihelse").check()
    submit(page)

    # Step 4: the review lists the two re-signings and the two orders, with the estimated cost.
    expect(page.locator("[aria-current=step]")).to_contain_text("4.")
    expect(page.locator("main")).to_contain_text("Helsenorge")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("main table tfoot")).to_contain_text(re.compile(r"\d kr"))
    assert_no_axe_violations(page)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_confirm").check()
    submit(page)

    signing = ServiceSigning.objects.get(organisation=ringsaker)
    assert page.url.split("?")[0].endswith(reverse("agreements:signing_detail", args=[signing.pk]))
    assert {item["slug"] for item in signing.items} == {"kjernejournal", "e-resept", "helsenorge", "digihelse"}
    assert not ServiceAgreement.objects.filter(organisation=ringsaker, state=AgreementState.MUST_RESIGN).exists()
    order = Order.objects.get(organisation=ringsaker, service__slug="digihelse")
    expect(page.locator(f"main a[href='{order.get_absolute_url()}']")).to_be_visible()
    assert_no_axe_violations(page)
    close_context(context)

    # The customer centre takes the order from submitted to delivered.
    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, AISHA)
    page.goto(f"{live_server.url}{reverse('orders:queue')}")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator(f"main a[href='{order.get_absolute_url()}']").click()
    assert_no_axe_violations(page)
    for state in (OrderState.IN_REVIEW, OrderState.IN_DELIVERY, OrderState.DELIVERED):
        page.locator("#id_to_state").select_option(state)
        page.locator("#id_comment").fill("Levert som avtalt." if state == OrderState.DELIVERED else "")
        with page.expect_navigation():
            page.locator(f"form[action='{reverse('orders:order_transition', args=[order.pk])}'] button").click()
        order.refresh_from_db()
        assert order.state == state
    assert_no_axe_violations(page)
    close_context(context)

    # The director sees the order delivered and the new agreement.
    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, KARI)
    page.goto(f"{live_server.url}{reverse('agreements:organisation_services', args=[ringsaker.pk])}")
    orders_row = page.locator(f"main tr:has(a[href='{order.get_absolute_url()}'])")
    expect(orders_row).to_contain_text(re.compile("Delivered|Levert"))
    assert (
        ServiceAgreement.objects.get(organisation=ringsaker, service__slug="digihelse").state == AgreementState.ACTIVE
    )
    assert_no_axe_violations(page)
    close_context(context)


def test_catalogue_and_how_the_services_fit_together(page: Page, live_server: Any) -> None:
    """Public pages: the catalogue, the prerequisite diagram with its list, and the roadmap with its table."""
    page.goto(f"{live_server.url}{reverse('agreements:catalogue')}")
    expect(page.locator("main table tbody tr")).to_have_count(16)
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}{reverse('agreements:overview')}")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    expect(page.locator("ul.dependency-list li")).to_have_count(16)
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}{reverse('agreements:service_detail', args=['kjernejournal'])}")
    assert_no_axe_violations(page)

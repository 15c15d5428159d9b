"""Issue 20, members act on their own things, in a real browser with axe-core (WCAG 2.1 A/AA): the menu's
"Report an incident" and an incident's access log for its reporter; a public webinar for a visitor who
is not logged in; the customer centre's special days and the contact page that follows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from events.models import Event
from incidents import services as incident_services
from organisations.models import Organisation

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser

INGRID = "ingrid@demo.medlemsportal.no"  # IT manager in Ringsaker: administrator and technical contact
AISHA = "aisha@demo.medlemsportal.no"  # NHN customer centre
RINGSAKER = "3411"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data and personas."""


def test_the_reporter_opens_the_incident_access_log_from_the_menu(page: Page, live_server: Any) -> None:
    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    ingrid = User.objects.get(email=INGRID)
    incident = incident_services.incident_report(
        actor=ingrid,
        organisation=ringsaker,
        data={
            "title": "Phishing mot ansatte", "what_happened": "Falske innloggingssider.",
            "discovered_at": timezone.now() - dt.timedelta(hours=1), "affected_systems": "E-post",
            "personal_data": "unknown", "health_data": "no", "ongoing": False, "contact_name": "Ingrid",
            "contact_phone": "+47 22 33 44 55", "contact_email": INGRID,
        },
        files=[],
    )  # fmt: skip
    login(page, live_server, INGRID)
    with page.expect_navigation():
        page.locator("nav a", has_text="Meld en hendelse").first.click()
    expect(page.locator(f"a[href='{reverse('incidents:report', args=[ringsaker.pk])}']")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    with page.expect_navigation():
        page.click(f"a[href='{reverse('incidents:incident_access_log', args=[incident.pk])}']")
    expect(page.locator("table")).to_contain_text(ingrid.full_name)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)


def test_a_visitor_sees_a_public_webinar_and_is_sent_to_log_in_to_sign_up(page: Page, live_server: Any) -> None:
    start = timezone.now() + dt.timedelta(days=7)
    webinar = Event.objects.create(
        title="Åpent webinar: Helsenettet for nye medlemmer", kind="webinar", description="Om medlemskap.",
        starts_at=start, ends_at=start + dt.timedelta(hours=1), online_url="https://teams.example.no/w",
        audience="ENK og AS", is_public=True,
    )  # fmt: skip
    page.goto(f"{live_server.url}{reverse('events:event_list')}")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.click(f"a[href='{webinar.get_absolute_url()}']")
    expect(page.locator("h1")).to_have_text(webinar.title)
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.click("main a.button")
    assert reverse("accounts:login") in page.url and "next=" in page.url


def test_the_customer_centre_adds_a_special_day_and_the_contact_page_shows_it(page: Page, live_server: Any) -> None:
    login(page, live_server, AISHA)
    page.goto(f"{live_server.url}{reverse('support:special_days')}")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.click("main form:not(.inline) button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    day = timezone.localdate() + dt.timedelta(days=3)
    page.fill("#id_date", day.isoformat())
    page.fill("#id_note", "Personalseminar")
    page.check("#id_closed")
    with page.expect_navigation():
        page.click("main form:not(.inline) button[type=submit]")
    expect(page.locator("main")).to_contain_text("Personalseminar")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}{reverse('support:contact')}")
    expect(page.locator("main")).to_contain_text("Personalseminar")
    assert_no_axe_violations(page)


def test_an_enk_owner_reads_why_on_the_front_page(page: Page, live_server: Any) -> None:
    login(page, live_server, "ola@demo.medlemsportal.no")
    expect(page.locator(".steps__why").first).to_contain_text("forskrift om standarder og nasjonale e-helseløsninger")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

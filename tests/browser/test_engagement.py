"""Engagement and help in a real browser, with axe-core (WCAG 2.1 A/AA) at each step.

Ingrid (Ringsaker kommune) opens Surveys from the main menu and answers the five-minute survey in a
handful of clicks. Aisha (customer centre) opens the support queue from the front page, answers
Ingrid's request and marks it resolved. Anyone sees the customer centre's page from the footer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core.models import OutboundEmail
from support.models import SupportRequest
from surveys.models import Response

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, close_context, login, new_context

pytestmark = pytest.mark.browser

INGRID = "ingrid@demo.medlemsportal.no"  # administrator and technical contact of Ringsaker kommune
AISHA = "aisha@demo.medlemsportal.no"  # NHN customer centre


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data, personas and every app's demo seed (see conftest.demo_data)."""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """An English-speaking browser: the locators read the interface's English source texts, which stay
    the same when the Norwegian translations land (the demo content itself is Norwegian)."""
    context = new_context(browser, locale="en-GB")
    yield context.new_page()
    close_context(context)


def test_a_member_answers_the_five_minute_survey(page: Page, live_server: Any) -> None:
    login(page, live_server, INGRID)
    started = time.monotonic()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Surveys").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Innspill fra deg – fem minutter").click()
    assert_no_axe_violations(page)
    page.get_by_label("Prismodell og forvaltning").check()
    page.get_by_label("Webinar", exact=True).check()
    page.get_by_role("group", name="Hvor nyttige").get_by_label("4").check()
    page.get_by_label("Hva annet vil du at NHN skal informere om?").fill("Mer om HelseID i kommunen")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert time.monotonic() - started < 300
    response = Response.objects.get(user__email=INGRID)
    assert response.organisation.name.startswith("Ringsaker")
    assert_no_axe_violations(page)


def test_a_missing_required_answer_is_summarised(page: Page, live_server: Any) -> None:
    login(page, live_server, INGRID)
    page.goto(f"{live_server.url}/surveys/")
    page.get_by_role("link", name="Innspill fra deg – fem minutter").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_axe_violations(page)
    assert not Response.objects.filter(user__email=INGRID).exists()


def test_an_agent_answers_a_support_request(page: Page, live_server: Any) -> None:
    login(page, live_server, AISHA)
    page.get_by_role("link", name="Support queue").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Ny tilkobling til Helsenettet for Moelv helsestasjon").click()
    assert_no_axe_violations(page)
    page.get_by_label("Message").fill("Leveringstiden er normalt tre uker. Vi har bestilt tilkoblingen.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Leveringstiden er normalt tre uker.")).to_be_visible()
    page.get_by_label("Status").select_option("resolved")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert_no_axe_violations(page)
    request = SupportRequest.objects.get(subject__startswith="Ny tilkobling")
    assert request.status == "resolved" and request.messages.filter(from_staff=True).exists()
    assert OutboundEmail.objects.filter(to=INGRID).count() >= 2


@pytest.mark.parametrize(
    "path", ["/support/", "/events/", "/suggestions/", "/support/requests/new/", "/support/attendance/new/"]
)
def test_member_pages_pass_axe(page: Page, live_server: Any, path: str) -> None:
    login(page, live_server, INGRID)
    page.goto(f"{live_server.url}{path}")
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "path", ["/events/new/", "/surveys/new/", "/surveys/", "/support/hours/", "/support/attendance/"]
)
def test_staff_pages_pass_axe(page: Page, live_server: Any, path: str) -> None:
    login(page, live_server, AISHA)
    page.goto(f"{live_server.url}{path}")
    assert_no_axe_violations(page)


def test_survey_results_and_event_pages_pass_axe(page: Page, live_server: Any) -> None:
    from events.models import Event
    from surveys.models import Survey

    login(page, live_server, AISHA)
    survey = Survey.objects.get(title__startswith="Innspill fra deg")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/results/")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/surveys/{survey.pk}/questions/")
    assert_no_axe_violations(page)
    event = Event.objects.get(title__startswith="Medlemskap i Helsenettet")
    page.goto(f"{live_server.url}{event.get_absolute_url()}")
    assert_no_axe_violations(page)


def test_anyone_finds_the_customer_centre_from_the_footer(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Customer centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer centre")
    expect(page.get_by_text("24 20 00 00").first).to_be_visible()
    assert_no_axe_violations(page)


def test_the_survey_reflows_at_320px(narrow_page: Page, live_server: Any) -> None:
    """In the default Norwegian interface (the English header is wider: a site-wide matter)."""
    from surveys.models import Survey

    login(narrow_page, live_server, INGRID)
    survey = Survey.objects.get(title__startswith="Innspill fra deg")
    narrow_page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    assert_no_horizontal_scroll(narrow_page)


def test_staff_answer_a_request_to_attend(page: Page, live_server: Any) -> None:
    from support.models import AttendanceRequest

    login(page, live_server, AISHA)
    item = AttendanceRequest.objects.get()
    page.goto(f"{live_server.url}{item.get_absolute_url()}")
    assert_no_axe_violations(page)
    page.get_by_label("NHN will attend").check()
    page.get_by_label("Answer to the member").fill("Vi kommer gjerne. Medlemsansvarlig Nils Lund deltar.")
    page.get_by_role("button", name="Save and tell the member").click()
    expect(page.get_by_text("Vi kommer gjerne.")).to_be_visible()
    assert_no_axe_violations(page)
    item.refresh_from_db()
    assert item.status == "accepted"

"""Helsenett connections in a real browser: a technical contact runs the connection assessment from the
organisation page and downloads its PDF; staff read the registry, a connection and the reports. Every
page is checked with axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from connections.models import Assessment, Connection
from organisations.models import Organisation

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser

INGRID = "ingrid@demo.medlemsportal.no"  # IT manager in Ringsaker: administrator and technical contact
AISHA = "aisha@demo.medlemsportal.no"  # NHN customer centre
RINGSAKER = "3411"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data, personas and the demo connections (seed_demo runs every app's demo_data)."""


def url(live_server: Any, name: str, *args: Any) -> str:
    return f"{live_server.url}{reverse(name, args=args)}"


def test_a_technical_contact_completes_the_assessment_and_downloads_the_pdf(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    login(page, live_server, INGRID)
    page.goto(f"{live_server.url}{ringsaker.get_absolute_url()}")
    panel = page.locator("section[aria-labelledby=connections-title]")
    expect(panel).to_contain_text("Henrik Ibsens gate 2")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        panel.locator(f"a[href='{reverse('connections:assessment_create', args=[ringsaker.pk])}']").click()
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page)

    # Submitting empty shows the error summary, and it passes axe too.
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)

    page.fill("#id_users", "350")
    page.fill("#id_sites", "9")
    page.check("#id_imaging")
    page.check("#id_video")
    page.check("#id_uptime_2")  # around the clock
    page.check("#id_security_0")
    page.check("#id_data_processing_2")  # moving to a cloud EPJ
    page.check("#id_budget_1")
    page.check("#id_competence_2")  # own IT department
    page.check("#id_growth_1")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assessment = Assessment.objects.get(organisation=ringsaker)
    assert page.url == f"{live_server.url}{assessment.get_absolute_url()}"
    assert (assessment.recommended_type.code, assessment.recommended_redundancy) == ("municipal_network", "diverse")
    expect(page.locator("main")).to_contain_text(f"{assessment.recommended_bandwidth_mbps} Mbit/s")
    expect(page.locator("#comparison-caption")).to_be_visible()
    assert_no_axe_violations(page)

    with page.expect_download() as info:
        page.click(f"a[href='{reverse('connections:assessment_pdf', args=[assessment.pk])}']")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert download.suggested_filename.startswith("tilknytningsvurdering-")
    assert target.read_bytes().startswith(b"%PDF")


def test_staff_read_the_registry_and_the_reports(page: Page, live_server: Any) -> None:
    login(page, live_server, AISHA)
    for name in ("connection_list", "backbone_uptime", "before_after"):
        response = page.goto(url(live_server, name and f"connections:{name}"))
        assert response is not None and response.ok, name
        assert_no_axe_violations(page)
    connection = Connection.objects.get(source_reference="demo:ringsaker-radhus")
    page.goto(f"{live_server.url}{connection.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Gravearbeid kuttet fiber")
    assert_no_axe_violations(page)
    page.goto(url(live_server, "connections:connection_edit", connection.pk))
    assert_no_axe_violations(page)


def test_the_assessment_and_the_decision_aid_reflow_at_320px(narrow_page: Page, live_server: Any) -> None:
    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    login(narrow_page, live_server, INGRID)
    for name in ("assessment_create", "decision_create"):
        narrow_page.goto(url(live_server, f"connections:{name}", ringsaker.pk))
        expect(narrow_page.locator("h1")).to_be_visible()
        assert_no_horizontal_scroll(narrow_page)
        assert_no_axe_violations(narrow_page)

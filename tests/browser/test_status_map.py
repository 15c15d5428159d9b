# ruff: noqa: F811 - the status browser tests' fixture signed_a_few is imported and used by name
"""The status map in a real browser: WCAG 2.1 A/AA with axe-core, the strict CSP (no violation logged),
reflow at 320 px, and the links from the status page to the map and the downloads.

Nils (membership manager) sees all 357 municipalities; Siri (coordinator of Digi Innlandet) sees her
network's municipalities in colour and every other one grey. Run on their own:
`pytest -q -m browser tests/browser/test_status_map.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, login
from .test_status import NILS, SIRI, signed_a_few  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Every test here needs the reference data and the demo personas (see conftest.demo_data)."""


def test_the_map_from_the_status_page(page: Page, live_server: Any, signed_a_few: dict[str, int]) -> None:
    login(page, live_server, NILS)
    page.goto(f"{live_server.url}/status/")
    with page.expect_navigation():
        page.click("a[href^='/status/map/']")
    assert page.url.startswith(f"{live_server.url}/status/map/?version=")

    svg = page.locator("svg.status-map__svg")
    expect(svg).to_be_visible()
    expect(svg).to_have_attribute("role", "img")
    expect(svg.locator("path[data-number]")).to_have_count(357)
    expect(svg.locator("path[data-status='signed']")).to_have_count(5)
    expect(page.locator(".status-map__legend li")).to_have_count(3)
    box = svg.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 250
    assert_no_axe_violations(page)

    # The table of every municipality, in the closed <details>.
    page.locator("details.status-map__all summary").click()
    expect(page.locator("table:has(caption#map-municipalities-caption) tbody tr").first).to_be_visible()
    assert_no_axe_violations(page)


def test_the_coordinators_map(page: Page, live_server: Any, signed_a_few: dict[str, int]) -> None:
    login(page, live_server, SIRI)
    page.goto(f"{live_server.url}/status/map/")
    svg = page.locator("svg.status-map__svg")
    total = signed_a_few["network_total"]
    expect(svg.locator("path[data-status='outside']")).to_have_count(357 - total)
    expect(svg.locator("path[data-status='signed']")).to_have_count(signed_a_few["network_signed"])
    expect(page.locator(".status-map__legend li")).to_have_count(4)
    assert_no_axe_violations(page)


def test_the_map_at_320px(narrow_page: Page, live_server: Any, signed_a_few: Any) -> None:
    login(narrow_page, live_server, NILS)
    narrow_page.goto(f"{live_server.url}/status/map/")
    expect(narrow_page.locator("svg.status-map__svg")).to_be_visible()
    assert_no_horizontal_scroll(narrow_page)
    assert_no_axe_violations(narrow_page)

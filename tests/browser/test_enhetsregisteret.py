"""Enhetsregisteret sync in a real browser: the membership manager's candidate list (from the front
page's work links), a bulk invitation, the follow-up list and the rule form, each checked with axe-core
and at 320 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.models import Organisation

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, login

pytestmark = pytest.mark.browser

NILS = "nils@demo.medlemsportal.no"  # NHN membership manager


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data and personas; enhetsregisteret.demo_data adds candidates and a follow-up."""


def test_membership_manager_invites_candidates(page: Page, live_server: Any) -> None:
    login(page, live_server, NILS)
    url = reverse("enhetsregisteret:candidates")
    with page.expect_navigation():
        page.click(f"a[href='{url}']")
    rows = page.locator("table.table tbody tr")
    expect(rows.first).to_be_visible()
    assert_no_axe_violations(page)

    moelv = Organisation.objects.get(name="MOELV LEGEKONTOR AS")
    page.check(f"#invite-{moelv.pk}")
    with page.expect_navigation():
        page.click("form[action$='/invite/'] button[type=submit]")
    assert Membership.objects.get(organisation=moelv).state == MembershipState.INVITED
    expect(page.locator(f"#invite-{moelv.pk}")).to_have_count(0)  # no longer a candidate
    assert_no_axe_violations(page)

    with page.expect_navigation():
        page.click("a[href='?show=left']")
    expect(page.locator("table.table tbody")).to_contain_text("HAMAR KIROPRAKTIKK AS")
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}{reverse('enhetsregisteret:rule_create')}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)


def test_candidate_list_reflows_at_320_px(narrow_page: Page, live_server: Any) -> None:
    login(narrow_page, live_server, NILS)
    narrow_page.goto(f"{live_server.url}{reverse('enhetsregisteret:candidates')}")
    assert_no_horizontal_scroll(narrow_page)

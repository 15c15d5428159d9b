"""HelseCERT in a real browser: an analyst writes an AMBER advisory for one county, a second analyst
approves it, the security contact there acknowledges it, and a member elsewhere cannot see it. Then
the threat picture, the public list and an incident report. Every page is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.demo_data import seed as demo_seed_second_factor
from advisories.models import Acknowledgement, Advisory
from core.roles import OrganisationRoleType, StaffRole
from organisations.models import Organisation, OrganisationRole

from .conftest import DEMO_PASSWORD, assert_no_axe_violations, login

pytestmark = pytest.mark.browser

JONAS = "jonas@demo.medlemsportal.no"  # CERT analyst
PER = "per@demo.medlemsportal.no"  # security contact of Ringsaker kommune (Innlandet)
SECOND = "lise.review@nhn.example.no"
ELSEWHERE = "sikkerhet@bergen.example.no"
TITLE = "Nettleserutvidelse stjeler HelseID-økter"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data and personas (seed_demo, with each app's demo data)."""


def _url(live_server: Any, name: str, *args: Any) -> str:
    return f"{live_server.url}{reverse(name, args=args)}"


def _logout(page: Page) -> None:
    page.context.clear_cookies()


def test_amber_advisory_to_one_county(page: Page, live_server: Any) -> None:
    users = get_user_model().objects
    second = users.create_user(
        email=SECOND, password=DEMO_PASSWORD, full_name="Lise Gjennomgang", staff_role=StaffRole.CERT_ANALYST
    )
    demo_seed_second_factor(organisations={}, users={"second": second})  # staff pass a second factor
    bergen = Organisation.objects.get(municipality__number="4601")
    outsider = users.create_user(email=ELSEWHERE, password=DEMO_PASSWORD, full_name="Bodil Bergen")
    OrganisationRole.objects.create(user=outsider, organisation=bergen, role=OrganisationRoleType.SECURITY_CONTACT)

    # The analyst writes the advisory for Innlandet.
    login(page, live_server, JONAS)
    page.goto(_url(live_server, "advisories:create"))
    assert_no_axe_violations(page)
    page.fill("#id_title", "Nettleserutvidelse stjeler HelseID-økter")
    page.fill("#id_summary", "En ondsinnet nettleserutvidelse kopierer innloggingsøkter.")
    page.fill(
        "#id_body", "## Hva vi ser\n\nUtvidelsen *PDF Helper Pro* sender informasjonskapsler til en fremmed tjener."
    )
    page.select_option("#id_severity", "high")
    page.fill("#id_recommended_actions", "- Fjern utvidelsen.\n- Logg ut alle økter.")
    page.select_option("#id_tlp", "AMBER")
    page.get_by_label("Innlandet", exact=True).check()
    # A wrong CVSS vector first: the error summary names the field, nothing is stored.
    page.fill("#id_cvss_vector", "CVSS:3.1/AV:N")
    page.click("main form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    assert not Advisory.objects.filter(title=TITLE).exists()
    page.fill("#id_cvss_vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N")
    page.get_by_label("Innlandet", exact=True).check()
    page.click("main form button[type=submit]")
    advisory = Advisory.objects.get(title=TITLE)
    expect(page).to_have_url(re.compile(rf"/security/advisories/{advisory.pk}/$"))
    assert_no_axe_violations(page)
    page.click(f"form[action$='/{advisory.pk}/submit/'] button")
    # The author cannot approve: no approve button for him.
    expect(page.locator(f"form[action$='/{advisory.pk}/approve/']")).to_have_count(0)
    _logout(page)

    # A second analyst approves and publishes.
    login(page, live_server, SECOND)
    page.goto(_url(live_server, "advisories:detail", advisory.pk))
    assert_no_axe_violations(page)
    page.click(f"form[action$='/{advisory.pk}/approve/'] button")
    advisory.refresh_from_db()
    assert advisory.status == "published" and advisory.approved_by.email == SECOND
    page.goto(_url(live_server, "advisories:list"))
    assert_no_axe_violations(page)
    _logout(page)

    # Ringsaker's security contact sees it on the list and acknowledges it.
    login(page, live_server, PER)
    page.goto(_url(live_server, "advisories:list"))
    page.get_by_role("link", name="Nettleserutvidelse stjeler HelseID-økter").click()
    assert_no_axe_violations(page)
    page.locator("input[name=status][value=received]").check()
    page.fill("#id_comment", "Videresendt til IT-drift.")
    page.click(f"form[action$='/{advisory.pk}/acknowledge/'] button")
    ack = Acknowledgement.objects.get(advisory=advisory)
    assert ack.status == "received" and ack.acknowledged_by.email == PER
    assert_no_axe_violations(page)
    ringsaker = Organisation.objects.get(municipality__number="3411")
    page.goto(_url(live_server, "organisations:organisation_detail", ringsaker.pk))
    expect(page.locator("#security-title")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(_url(live_server, "advisories:threat_picture"))
    assert_no_axe_violations(page)
    page.goto(_url(live_server, "incidents:report", ringsaker.pk))
    assert_no_axe_violations(page)
    page.goto(_url(live_server, "advisories:contacts", ringsaker.pk))
    assert_no_axe_violations(page)
    _logout(page)

    # A member in Bergen (Vestland) does not see it: not on the list, and 404 on its address.
    login(page, live_server, ELSEWHERE)
    page.goto(_url(live_server, "advisories:list"))
    expect(page.get_by_text("Nettleserutvidelse stjeler HelseID-økter")).to_have_count(0)
    response = page.goto(_url(live_server, "advisories:detail", advisory.pk))
    assert response is not None and response.status == 404
    _logout(page)

    # The analysts' view of who has answered.
    login(page, live_server, JONAS)
    page.goto(_url(live_server, "advisories:acknowledgements", advisory.pk))
    expect(page.locator("main")).to_contain_text("Ringsaker")
    assert_no_axe_violations(page)
    incident = ringsaker.incidents.first()
    page.goto(_url(live_server, "incidents:detail", incident.pk))
    assert_no_axe_violations(page)
    page.goto(_url(live_server, "incidents:list"))
    assert_no_axe_violations(page)


def test_public_list_without_login(page: Page, live_server: Any) -> None:
    page.goto(_url(live_server, "advisories:public_list"))
    expect(page.get_by_text("Kritisk sårbarhet i Citrix NetScaler ADC og Gateway")).to_be_visible()
    expect(page.get_by_text("Aktiv utnyttelse av VPN-sårbarhet")).to_have_count(0)
    assert_no_axe_violations(page)

"""Kari logs in with ID-porten (test) through the real local OpenID Provider; an invited security
contact accepts an invitation by logging in with ID-porten. Axe checks the new pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.oidc.testing import DevProvider, oidc_dev_provider_fixture, oidc_providers_fixture  # noqa: F401 - fixtures
from core.roles import OrganisationRoleType
from organisations.models import Organisation, OrganisationRole

from .conftest import assert_no_axe_violations, assert_no_horizontal_scroll, close_context, login, new_context

pytestmark = pytest.mark.browser
RINGSAKER = "3411"
HAMAR = "3403"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """The reference data and demo personas (Kari's account knows her synthetic identity number)."""


def log_in_at_provider(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name="ID-porten (test)")).to_be_visible()
    page.get_by_label(name, exact=False).check()
    page.get_by_role("button", name="Logg inn").click()


def test_kari_logs_in_with_id_porten_and_out_again(page: Page, live_server: Any, oidc_providers: DevProvider) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("link", name="Logg inn med ID-porten (test)")
    expect(button).to_be_visible()
    # ID-porten is offered first, before HelseID and the password form.
    assert page.locator("main a.button").first.inner_text() == "Logg inn med ID-porten (test)"
    assert_no_axe_violations(page)
    button.click()
    assert page.url.startswith(oidc_providers.idporten)
    log_in_at_provider(page, "Kari Nordmann")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("body")).to_contain_text("Kari Nordmann")
    kari = User.objects.get(email="kari@demo.medlemsportal.no")
    assert kari.external_identities.filter(issuer=oidc_providers.idporten, subject="dev-kari").exists()
    # Logging out ends the provider's session too (RP-initiated logout), then comes back to the login page.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(f"{oidc_providers.idporten}/**")
    assert page.url.startswith(oidc_providers.idporten)
    page.locator("button[name=logout][value=yes]").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_a_person_without_an_e_mail_address_gives_it_at_the_first_login(
    page: Page, live_server: Any, oidc_providers: DevProvider
) -> None:
    from core.models import OutboundEmail

    kari = User.objects.get(email="kari@demo.medlemsportal.no")
    kari.email = "0123456789abcdef@no-email.invalid"  # as a first ID-porten login leaves her
    kari.save(update_fields=["email"])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Logg inn med ID-porten (test)").click()
    log_in_at_provider(page, "Kari Nordmann")
    page.wait_for_url(f"{live_server.url}/accounts/email/?next=%2F")
    expect(page.locator("h1")).to_have_text("Din e-postadresse")
    assert ".invalid" not in page.content()
    assert_no_axe_violations(page)
    page.get_by_label("E-postadresse").fill("kari.nordmann@example.no")
    page.get_by_role("button", name="Send lenken").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_contain_text("kari.nordmann@example.no")
    link = re.search(
        r"http://\S+/accounts/email/confirm/\S+", OutboundEmail.objects.get(to="kari.nordmann@example.no").body_text
    )
    assert link is not None
    page.goto(link.group(0))
    page.wait_for_url(f"{live_server.url}/")
    kari.refresh_from_db()
    assert kari.email == "kari.nordmann@example.no"


def test_invited_security_contact_accepts(
    browser: Any, page: Page, live_server: Any, oidc_providers: DevProvider
) -> None:
    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    login(page, live_server, "kari@demo.medlemsportal.no")
    page.goto(f"{live_server.url}/organisations/{ringsaker.pk}/")
    page.get_by_role("link", name=re.compile("Inviter personen på e-post")).click()
    assert_no_axe_violations(page)
    page.get_by_label("Personens e-postadresse").fill("mona.lie@example.no")
    page.get_by_label("Rolle").select_option(OrganisationRoleType.SECURITY_CONTACT)
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.locator(".messages")).to_contain_text("mona.lie@example.no")
    expect(page.locator("tbody")).to_contain_text("Venter")
    assert_no_axe_violations(page)
    link = re.search(r"http://\S+/invitations/accept/\S+/", mail.outbox[-1].body).group(0)  # type: ignore[union-attr]
    link = link.replace("http://testserver", live_server.url)

    context = new_context(browser)
    try:
        mona_page = context.new_page()
        mona_page.goto(link)
        expect(mona_page.locator("h1")).to_have_text("Du er invitert")
        assert_no_axe_violations(mona_page)
        mona_page.get_by_role("button", name="Godta og logg inn med ID-porten (test)").click()
        log_in_at_provider(mona_page, "Mona Lie")
        mona_page.wait_for_url(f"{live_server.url}/organisations/{ringsaker.pk}/")
        expect(mona_page.locator(".messages")).to_contain_text("Du er nå sikkerhetskontakt")
        mona = User.objects.get(full_name="Mona Lie")
        assert OrganisationRole.objects.filter(
            user=mona, organisation=ringsaker, role=OrganisationRoleType.SECURITY_CONTACT
        ).exists()
        # The link works once.
        response = mona_page.goto(link)
        assert response is not None and response.status == 404
        assert_no_axe_violations(mona_page)
    finally:
        close_context(context)


def test_invitation_page_reflows_at_320px(narrow_page: Page, live_server: Any, oidc_providers: DevProvider) -> None:
    narrow_page.goto(f"{live_server.url}/accounts/login/")
    assert_no_horizontal_scroll(narrow_page)
    login(narrow_page, live_server, "kari@demo.medlemsportal.no")
    ringsaker = Organisation.objects.get(municipality__number=RINGSAKER)
    narrow_page.goto(f"{live_server.url}/invitations/organisations/{ringsaker.pk}/")
    assert_no_horizontal_scroll(narrow_page)


def test_hilde_is_hamars_general_manager_and_needs_no_invitation(
    page: Page, live_server: Any, oidc_providers: DevProvider
) -> None:
    """Hilde has no account and no invitation; the demo register lists her as Hamar's general manager. Her
    first login with ID-porten (test) brings Hamar to her front page with its next step."""
    hamar = Organisation.objects.get(municipality__number=HAMAR)
    assert not User.objects.filter(full_name="Hilde Dahl").exists()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Logg inn med ID-porten (test)").click()
    log_in_at_provider(page, "Hilde Dahl")
    page.wait_for_url(f"{live_server.url}/accounts/email/?next=%2F")  # a first login gives an address
    expect(page.locator(".messages")).to_contain_text(f"Du kan signere for {hamar.name}: Daglig leder")
    page.goto(f"{live_server.url}/")
    card = page.locator(".card", has=page.get_by_role("heading", name=hamar.name))
    expect(card).to_contain_text("Signaturberettiget")
    expect(card.locator(f"a[href='{reverse('memberships:sign', args=[hamar.pk])}']")).to_be_visible()  # next step
    assert_no_axe_violations(page)
    hilde = User.objects.get(full_name="Hilde Dahl")
    role = OrganisationRole.objects.get(user=hilde, organisation=hamar, role=OrganisationRoleType.SIGNATORY)
    assert role.from_register and role.signatory_basis == "general_manager"
    # The page for an organisation the nightly reading has not reached yet.
    page.get_by_role("link", name=re.compile("Finn deg selv i Enhetsregisteret")).click()
    expect(page.locator("h1")).to_have_text("En virksomhet du signerer for")
    assert_no_axe_violations(page)
    page.get_by_label("Organisasjonsnummer").fill("abc")
    page.get_by_role("button", name="Finn meg i Enhetsregisteret").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)

"""Membership terms and e-signing in a real browser: the signatory's journey from the front page to a
sealed PDF, the public check of that PDF, the membership manager's terms pages, delegation, and reflow
at 320 px. Every page is checked with axe-core (WCAG 2.1 A/AA) in each state it is shown in.

Text assertions accept the English msgid or its Norwegian translation (the catalogue may lag behind the
templates); where it matters, selectors are structural (ids, hrefs, roles).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Browser, Page, expect

from accounts.oidc.testing import DevProvider, oidc_dev_provider_fixture, oidc_providers_fixture  # noqa: F401 - fixtures
from lib import pades
from memberships import documents
from memberships.models import Signature, TermsVersion
from organisations.models import Organisation

from .conftest import (
    DEMO_PASSWORD,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    close_context,
    login,
    new_context,
)

pytestmark = pytest.mark.browser

KARI = "kari@demo.medlemsportal.no"  # municipal director of Ringsaker kommune: signs in her own right
NILS = "nils@demo.medlemsportal.no"  # NHN membership manager
INGRID = "ingrid@demo.medlemsportal.no"  # IT manager in Ringsaker: receives a delegation
RINGSAKER = "3411"


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data, personas, terms 2025 (published, nobody signed) and the draft 2026."""


# --------------------------------------------------------------------------------------------- helpers


def either(msgid: str, *, nb: str | None = None, exact: bool = False, **params: Any) -> re.Pattern[str]:
    """The English msgid or its Norwegian translation (and ``nb``, a known Norwegian text), as a regex.

    ``params`` fill in %(name)s placeholders in both. ``exact`` anchors the pattern to the whole text.
    """
    with translation.override("nb"):
        texts = {msgid, str(translation.gettext(msgid))}
    if params:
        texts = {text % params for text in texts}
    if nb:
        texts.add(nb)
    body = "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True))
    return re.compile(f"^(?:{body})$" if exact else f"(?:{body})")


def nb_date(value: dt.date, fmt: str) -> str:
    """A date as the Norwegian pages format it."""
    with translation.override("nb"):
        return date_format(value, fmt)


def ringsaker() -> Organisation:
    return Organisation.objects.get(municipality__number=RINGSAKER)


def url(live_server: Any, name: str, *args: Any) -> str:
    return f"{live_server.url}{reverse(name, args=args)}"


def open_page(page: Page, address: str) -> None:
    response = page.goto(address)
    assert response is not None and response.ok, f"{address} answered {response and response.status}"
    expect(page.locator("h1")).to_be_visible()


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id, type: el.getAttribute("type"),
                    href: el.getAttribute("href")};
        }"""
    )


def press_and_wait(page: Page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def facts(page: Page, scope: str) -> list[tuple[str, str]]:
    """The (term, description) pairs of a <dl class="facts">, in order, whitespace-normalised."""
    return page.evaluate(
        """(scope) => Array.from(document.querySelectorAll(scope + " dt")).map(dt => [
            dt.textContent.replace(/\\s+/g, " ").trim(),
            dt.nextElementSibling.textContent.replace(/\\s+/g, " ").trim(),
        ])""",
        scope,
    )


def markdown_lines(text: str) -> list[str]:
    """The visible text of each Markdown line: without #, list markers and emphasis."""
    lines = []
    for raw in text.splitlines():
        line = re.sub(r"^(#+|-|\d+\.)\s+", "", raw.strip()).replace("**", "").replace("*", "")
        if line:
            lines.append(line)
    return lines


def tick_with_space(page: Page, selector: str) -> None:
    checkbox = page.locator(selector)
    expect(checkbox).not_to_be_checked()
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()


def upload_and_check(page: Page, name: str, content: bytes) -> None:
    page.set_input_files("#id_document", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}])
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_be_visible()


# ------------------------------------------------------------------------------- the signing journey


def test_sign_download_and_verify_the_agreement(browser: Browser, live_server: Any) -> None:
    """Kari signs the terms 2025 for Ringsaker kommune, mostly by keyboard, and downloads the sealed PDF;
    an anonymous visitor then checks that PDF, a tampered copy and a file that is no PDF at all."""
    organisation = ringsaker()
    version = TermsVersion.objects.get(label="2025")
    sign_url = reverse("memberships:sign", args=[organisation.pk])

    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, KARI)

    # The front page: an urgent next step on Ringsaker's card leads to the sign page. Follow it with Enter.
    step = page.locator(f".steps__urgent a[href='{sign_url}']")
    expect(step).to_have_count(1)
    # The demo round's deadline (31 March 2025) has passed: Ringsaker is invited, not yet blocked, and is
    # told so with the date (the text before the deadline is the other branch).
    deadline = nb_date(version.sign_by, "j. F Y")
    text = (
        "The deadline passed on %(deadline)s: sign the membership terms %(label)s now"
        if version.deadline_passed
        else "Sign the membership terms %(label)s by %(deadline)s"
    )
    expect(step).to_have_text(either(text, label="2025", deadline=deadline, exact=True))
    step.focus()
    press_and_wait(page, "Enter")
    assert page.url == f"{live_server.url}{sign_url}"

    # The sign page: the whole agreement, and the authority she signs with.
    expect(page.locator("h1")).to_contain_text(organisation.name)
    sign_facts = facts(page, "main > dl.facts")
    authority = either("General manager in Enhetsregisteret", nb="Daglig leder i Enhetsregisteret")
    as_text = next((value for term, value in sign_facts if either("You sign as").search(term)), None)
    assert as_text is not None, f"the sign page does not say whom she signs as: {sign_facts}"
    assert "Kari Nordmann" in as_text and authority.search(as_text), as_text
    sections = page.locator("section.agreement section.document")
    expect(sections).to_have_count(3)
    for index, (_title, body) in enumerate(version.documents()):
        shown = " ".join(sections.nth(index).inner_text().split())
        for line in markdown_lines(body):
            assert " ".join(line.split()) in shown, f"document {index + 1} lacks {line!r}"
    expect(page.locator("section.agreement a[href$='/pdf/']")).to_have_attribute(
        "href", reverse("memberships:terms_pdf", args=[version.pk])
    )
    assert_no_axe_violations(page)

    # A wrong password (with the confirmation ticked, so the password is what fails): the error summary.
    page.locator("#id_password").focus()
    page.keyboard.type("not-my-password")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_confirm", f"Tab from the password went to {focused(page)}"
    page.keyboard.press("Space")
    expect(page.locator("#id_confirm")).to_be_checked()
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "button" and focused(page)["type"] == "submit"
    press_and_wait(page, "Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_password']")).to_contain_text(either("The password is wrong."))
    expect(page.locator("#id_password_error_1")).to_have_text(either("The password is wrong.", exact=True))
    expect(page.locator("#id_password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password")).to_have_value("")  # a password is never sent back
    assert not Signature.objects.filter(organisation=organisation).exists()
    assert_no_axe_violations(page)

    # The summary's link takes her to the field. The form kept her confirmation (only the password is
    # blanked), so the right password and Enter sign the agreement.
    summary.locator("a[href='#id_password']").focus()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_password", f"the summary link moved focus to {focused(page)}"
    page.keyboard.type(DEMO_PASSWORD)
    expect(page.locator("#id_confirm")).to_be_checked()
    press_and_wait(page, "Enter")

    # The receipt.
    signature = Signature.objects.get(organisation=organisation, terms_version=version)
    # The browser carries the #id_password fragment across the redirect after the POST.
    assert page.url.split("#")[0] == url(live_server, "memberships:signed", signature.pk)
    expect(page.locator("h1")).to_have_text(either("The agreement is signed", nb="Avtalen er signert", exact=True))
    receipt = facts(page, "main dl.facts")
    assert len(receipt) == 4, receipt
    (signed_by, signer), (authority_term, basis), (time_term, when), (hash_term, digest) = receipt
    assert either("Signed by").search(signed_by) and signer == "Kari Nordmann", receipt
    assert either("Authority").search(authority_term) and authority.search(basis), receipt
    local = timezone.localtime(signature.signed_at)
    assert either("Time").search(time_term) and when == nb_date(local, "DATETIME_FORMAT"), receipt
    assert either("SHA-256 of the signed agreement").search(hash_term), receipt
    assert re.fullmatch(r"[0-9a-f]{64}", digest) and digest == signature.signed_pdf_sha256, receipt
    assert_no_axe_violations(page)

    # The sealed PDF: downloaded by following the link with the keyboard.
    download_link = page.locator(f"a[href='{reverse('memberships:signature_pdf', args=[signature.pk])}']")
    expect(download_link).to_have_text(
        either("Download the signed agreement (PDF)", nb="Last ned den signerte avtalen (PDF)", exact=True)
    )
    download_link.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:16]
    assert hashlib.sha256(pdf).hexdigest() == digest, "the PDF is not the one the receipt names"
    result = pades.verify(pdf, trust_roots=documents.trust_roots())
    assert result.ok, f"the downloaded agreement does not verify: {result.reason} ({result.detail})"

    # The organisation page: Ringsaker is a member now, and the signed agreement is listed.
    open_page(page, f"{live_server.url}{organisation.get_absolute_url()}")
    panel = page.locator("section[aria-labelledby=membership-title]")
    expect(panel.locator(".badge").first).to_have_text(either("Member", nb="Medlem", exact=True))
    expect(panel.locator(f"a[href='{reverse('memberships:signature_pdf', args=[signature.pk])}']")).to_contain_text(
        "2025"
    )
    expect(panel.locator(f"a[href='{sign_url}']")).to_have_count(0)  # nothing left to sign
    assert_no_axe_violations(page)
    close_context(context)

    # An anonymous visitor checks agreements on the public page, reached from the header.
    context = new_context(browser)
    page = context.new_page()
    open_page(page, f"{live_server.url}{reverse('core:help')}")
    verify_url = reverse("memberships:verify")
    header_link = page.locator(f".site-nav a[href='{verify_url}']")
    expect(header_link).to_have_text(either("Check an agreement", nb="Kontroller en avtale", exact=True))
    with page.expect_navigation():
        header_link.click()
    assert page.url == f"{live_server.url}{verify_url}"
    expect(header_link).to_have_attribute("aria-current", "page")
    expect(page.locator(".verdict")).to_have_count(0)
    assert_no_axe_violations(page)

    # The genuine PDF.
    upload_and_check(page, download.suggested_filename, pdf)
    verdict = page.locator(".verdict")
    expect(verdict).to_have_class(re.compile(r"\bverdict--ok\b"))
    expect(verdict.locator("h2")).to_have_text(either("Genuine and unaltered", nb="Ekte og uendret", exact=True))
    expect(verdict).to_contain_text(organisation.name)
    expect(verdict).to_contain_text("Kari Nordmann")
    expect(verdict.locator("code.hash")).to_have_text(digest)
    assert_no_axe_violations(page)

    # A copy with one byte changed in the middle.
    tampered = bytearray(pdf)
    tampered[len(tampered) // 2] ^= 0x01
    upload_and_check(page, "tampered.pdf", bytes(tampered))
    verdict = page.locator(".verdict")
    expect(verdict).to_have_class(re.compile(r"\bverdict--bad\b"))
    expect(verdict.locator("h2")).to_have_text(
        either("Not a genuine, unaltered agreement", nb="Ikke en ekte og uendret avtale", exact=True)
    )
    expect(verdict).not_to_contain_text(organisation.name)
    assert_no_axe_violations(page)

    # A text file renamed .pdf: refused by the form, no verdict.
    upload_and_check(page, "agreement.pdf", b"This is a text file, not an agreement.\n")
    expect(page.locator(".verdict")).to_have_count(0)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_document']")).to_contain_text(
        either("This is not a PDF file.", nb="Dette er ikke en PDF-fil.")
    )
    expect(page.locator("#id_document")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    close_context(context)


# ------------------------------------------------------------------------------ the membership manager


def test_membership_manager_publishes_the_draft(page: Page, live_server: Any) -> None:
    draft = TermsVersion.objects.get(label="2026")
    assert not draft.is_published
    login(page, live_server, NILS)

    # The terms list, from the main menu.
    list_url = reverse("memberships:terms_list")
    with page.expect_navigation():
        page.click(f".site-nav a[href='{list_url}']")
    expect(page.locator(f".site-nav a[href='{list_url}']")).to_have_attribute("aria-current", "page")
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(2)
    # The draft first (work in progress on top), then the published versions, newest first.
    expect(page.locator("table.table tbody th[scope=row] a")).to_have_text(["2026", "2025"], use_inner_text=True)
    assert_no_axe_violations(page)

    # The draft's page, with the button that publishes it.
    with page.expect_navigation():
        page.click(f"table.table a[href='{draft.get_absolute_url()}']")
    expect(page.locator("h1")).to_contain_text("2026")
    publish = page.locator(f"form[action='{reverse('memberships:terms_publish', args=[draft.pk])}'] button")
    expect(publish).to_have_text(either("Publish and invite", nb="Publiser og inviter", exact=True))
    expect(page.locator("section.document")).to_have_count(3)
    assert_no_axe_violations(page)

    # The edit form, then the same form refused for want of a label.
    edit_url = reverse("memberships:terms_edit", args=[draft.pk])
    with page.expect_navigation():
        page.click(f"main a[href='{edit_url}']")
    expect(page.locator("#id_label")).to_have_value("2026")
    expect(page.locator("fieldset legend")).to_be_visible()
    assert_no_axe_violations(page)
    page.fill("#id_label", "")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server.url}{edit_url}"
    expect(page.locator(".error-summary a[href='#id_label']")).to_be_visible()
    expect(page.locator("#id_label")).to_have_attribute("aria-invalid", "true")
    assert TermsVersion.objects.get(pk=draft.pk).label == "2026"
    assert_no_axe_violations(page)

    # Back to the draft, confirm what publishing does, and publish it.
    from memberships import rounds

    planned, unreachable = rounds.invitation_preview(TermsVersion.objects.get(pk=draft.pk))
    invited = planned - unreachable
    singular = "Published. The invitation to sign is on its way to %(count)s organisation: follow it below."
    plural = "Published. Invitations to sign are on their way to %(count)s organisations: follow them below."
    texts = set()
    for language in ("en", "nb"):
        with translation.override(language):
            texts.add(translation.ngettext(singular, plural, invited) % {"count": invited})
    open_page(page, f"{live_server.url}{draft.get_absolute_url()}")
    page.check("#id_confirm")
    with page.expect_navigation():
        page.locator(f"form[action='{reverse('memberships:terms_publish', args=[draft.pk])}'] button").click()
    assert page.url == f"{live_server.url}{draft.get_absolute_url()}"
    expect(page.locator(".messages .message--success")).to_have_text(
        re.compile("^(?:" + "|".join(re.escape(text) for text in texts) + ")$")
    )
    expect(page.locator("form[action$='/publish/']")).to_have_count(0)
    assert TermsVersion.objects.get(pk=draft.pk).is_published
    assert_no_axe_violations(page)


# ------------------------------------------------------------------------- the organisation's signatory


def test_organisation_page_membership_panel_before_signing(page: Page, live_server: Any) -> None:
    organisation = ringsaker()
    login(page, live_server, KARI)
    open_page(page, f"{live_server.url}{organisation.get_absolute_url()}")
    panel = page.locator("section[aria-labelledby=membership-title]")
    expect(panel).to_be_visible()
    expect(panel.locator(".badge").first).to_be_visible()
    expect(panel.locator(f"a[href='{reverse('memberships:sign', args=[organisation.pk])}']")).to_be_visible()
    expect(
        panel.locator(f"a[href='{reverse('memberships:delegation_create', args=[organisation.pk])}']")
    ).to_be_visible()
    assert_no_axe_violations(page)
    # The history, opened.
    history = panel.locator("details")
    if history.count():
        history.locator("summary").click()
        expect(history.locator("ul")).to_be_visible()
        assert_no_axe_violations(page)


def test_delegation(page: Page, live_server: Any) -> None:
    organisation = ringsaker()
    delegate_url = reverse("memberships:delegation_create", args=[organisation.pk])
    login(page, live_server, KARI)
    open_page(page, f"{live_server.url}{organisation.get_absolute_url()}")
    with page.expect_navigation():
        page.click(f"section[aria-labelledby=membership-title] a[href='{delegate_url}']")
    expect(page.locator("#id_email")).to_be_visible()
    expect(page.locator("#id_until")).to_be_visible()
    assert_no_axe_violations(page)

    # Nothing filled in: both fields are reported.
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator(".error-summary a[href='#id_email']")).to_be_visible()
    expect(page.locator(".error-summary a[href='#id_until']")).to_be_visible()
    assert_no_axe_violations(page)

    # Delegated to Ingrid for a month: back on the organisation page, with a button that revokes it.
    until = timezone.localdate() + dt.timedelta(days=30)
    page.fill("#id_email", INGRID)
    page.fill("#id_until", until.isoformat())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_server.url}{organisation.get_absolute_url()}"
    expect(page.locator(".messages .message--success")).to_be_visible()
    panel = page.locator("section[aria-labelledby=membership-title]")
    expect(panel.locator("form[action*='/revoke/'] button")).to_be_visible()
    assert_no_axe_violations(page)


# ----------------------------------------------------------------------------------- 320 px (reflow)


def test_sign_receipt_and_organisation_pages_at_320px(narrow_page: Page, live_server: Any) -> None:
    page = narrow_page
    organisation = ringsaker()
    login(page, live_server, KARI)
    open_page(page, url(live_server, "memberships:sign", organisation.pk))
    assert page.evaluate("window.innerWidth") == 320
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)

    page.fill("#id_password", DEMO_PASSWORD)
    tick_with_space(page, "#id_confirm")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    signature = Signature.objects.get(organisation=organisation)
    assert page.url == url(live_server, "memberships:signed", signature.pk)
    expect(page.locator("code.hash")).to_have_text(signature.signed_pdf_sha256)
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)

    # The organisation page with the signed agreement (its roles table scrolls inside its own region).
    open_page(page, f"{live_server.url}{organisation.get_absolute_url()}")
    expect(page.locator("section[aria-labelledby=membership-title] a[href$='/pdf/']").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)


def test_membership_manager_ends_a_membership(page: Page, live_server: Any) -> None:
    """Nils ends Hamar's membership after a merger: the form, an error, the result; axe on each."""
    hamar = Organisation.objects.get(municipality__number="3403")
    login(page, live_server, "nils@demo.medlemsportal.no")
    open_page(page, url(live_server, "organisations:organisation_detail", hamar.pk))
    terminate = reverse("memberships:membership_terminate", args=[hamar.pk])
    with page.expect_navigation():
        page.click(f"a[href='{terminate}']")
    assert_no_axe_violations(page)
    page.select_option("#id_reason", "merger")
    page.fill("#id_note", "Slått sammen med nabokommunen (demo).")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(hamar.get_absolute_url())
    expect(page.locator(".messages")).to_contain_text(hamar.name)
    assert_no_axe_violations(page)
    hamar.membership.refresh_from_db()
    assert hamar.membership.state == "terminated"
    assert hamar.membership.termination_reason == "merger"


# ------------------------------------------------------------------------ ID-porten: authority from the register


def log_in_at_provider(page: Page, name: str, acr: str | None = None) -> None:
    """At the local OpenID Provider's page: pick the persona (and the level), log in."""
    expect(page.get_by_role("heading", name="ID-porten (test)")).to_be_visible()
    page.get_by_label(name, exact=False).check()
    if acr:
        expect(page.locator("#acr")).to_have_value(acr)  # the portal asked for this level
    page.get_by_role("button", name="Logg inn").click()


def test_kari_logs_in_with_id_porten_and_signs_because_the_register_says_she_is_dagl(
    page: Page, live_server: Any, oidc_providers: DevProvider
) -> None:
    """Issue 15/16: Kari logs in with ID-porten (test), is asked for no password, steps up at ID-porten at
    the signing level and signs; the signature records the register's role, when it was read, the matched
    entry, and the step-up."""
    organisation = ringsaker()
    sign_url = reverse("memberships:sign", args=[organisation.pk])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Logg inn med ID-porten (test)").click()
    log_in_at_provider(page, "Kari Nordmann")
    page.wait_for_url(f"{live_server.url}/")

    open_page(page, f"{live_server.url}{sign_url}")
    expect(page.locator("#id_password")).to_have_count(0)  # she may have no password at all
    expect(page.locator("#step-up-notice")).to_contain_text("ID-porten (test)")
    as_text = next(value for term, value in facts(page, "main > dl.facts") if either("You sign as").search(term))
    assert "Kari Nordmann" in as_text and "DAGL" in as_text, as_text
    assert_no_axe_violations(page)

    # "Sign": first to ID-porten for a fresh login at level high, then back to the form, confirmation kept.
    tick_with_space(page, "#id_confirm")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{oidc_providers.idporten}/**")
    log_in_at_provider(page, "Kari Nordmann", acr=settings.IDPORTEN_SIGNING_ACR)
    page.wait_for_url(f"{live_server.url}{sign_url}")
    expect(page.locator("#id_confirm")).to_be_checked()
    expect(page.locator("#step-up-notice")).to_be_visible()
    assert not Signature.objects.filter(organisation=organisation).exists()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    signature = Signature.objects.get(organisation=organisation)
    assert page.url == url(live_server, "memberships:signed", signature.pk)
    expect(page.locator("h1")).to_have_text(either("The agreement is signed", nb="Avtalen er signert", exact=True))
    assert_no_axe_violations(page)
    assert signature.basis == "enhetsregisteret:DAGL" and signature.basis_role_code == "DAGL"
    assert signature.basis_read_at is not None
    assert signature.basis_entry["name"] == "Kari Nordmann"
    assert signature.basis_entry["birth_date"] == signature.signer.birth_date.isoformat()
    assert signature.step_up["method"] == "oidc" and signature.step_up["acr"] == settings.IDPORTEN_SIGNING_ACR
    assert signature.step_up["auth_time"]


def test_a_person_with_no_matching_role_is_told_why_and_what_to_do(
    page: Page, live_server: Any, oidc_providers: DevProvider
) -> None:
    """Ingrid (IT manager, administrator of Ringsaker) logs in with ID-porten (test): she holds no role that
    lets her sign. The sign page and the guided flow say why and what to do, in the portal's layout."""
    organisation = ringsaker()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Logg inn med ID-porten (test)").click()
    log_in_at_provider(page, "Ingrid Hansen")
    page.wait_for_url(f"{live_server.url}/")

    for address in (
        url(live_server, "memberships:sign", organisation.pk),
        url(live_server, "agreements:guided_flow", organisation.pk),
    ):
        response = page.goto(address)
        assert response is not None and response.status == 403, address
        expect(page.locator("h1")).to_have_text(
            either("You cannot sign for %(org)s", org=organisation.name, exact=True)
        )
        expect(page.locator("header").first).to_be_visible()  # the portal's layout, not a bare 403
        notice = page.locator("main .notice")
        expect(notice).to_contain_text(
            either(
                "Ask the organisation's general manager to delegate signing to you in the portal, or contact the "
                "customer centre (kundesenter@nhn.no, 24 20 00 00) if the register is wrong."
            )
        )
        expect(notice).to_contain_text("kundesenter@nhn.no")
        assert_no_axe_violations(page)
    assert not Signature.objects.filter(organisation=organisation).exists()


def test_a_delegate_whose_delegation_ended_is_told_when_and_who_delegated(page: Page, live_server: Any) -> None:
    """Issue 16: Ingrid's delegation from Kari ended yesterday. The sign page and the guided flow say so, with
    the date and who delegated, in the portal's layout and her language; nothing is signed."""
    from django.contrib.auth import get_user_model

    from core.roles import OrganisationRoleType, SignatoryBasis
    from organisations.models import OrganisationRole

    organisation = ringsaker()
    users = get_user_model().objects
    ended = timezone.localdate() - dt.timedelta(days=1)
    OrganisationRole.objects.create(
        user=users.get(email=INGRID),
        organisation=organisation,
        role=OrganisationRoleType.SIGNATORY,
        signatory_basis=SignatoryBasis.DELEGATED,
        valid_until=ended,
        granted_by=users.get(email=KARI),
        delegated_agreements=["membership", "services"],
    )
    login(page, live_server, INGRID)
    for address in (
        url(live_server, "memberships:sign", organisation.pk),
        url(live_server, "agreements:guided_flow", organisation.pk),
    ):
        response = page.goto(address)
        assert response is not None and response.status == 403, address
        expect(page.locator("h1")).to_have_text(either("Your delegation has ended", exact=True))
        expect(page.locator("header.site-header")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Kari Nordmann")
        expect(page.locator("main")).to_contain_text(nb_date(ended, "DATE_FORMAT"))
        assert_no_axe_violations(page)
    assert not Signature.objects.filter(organisation=organisation).exists()

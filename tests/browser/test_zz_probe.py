import pytest
from typing import Any
from playwright.sync_api import Page
from django.urls import reverse
from organisations.models import Organisation
from memberships.models import Signature
from .conftest import login, DEMO_PASSWORD

pytestmark = pytest.mark.browser

@pytest.fixture(autouse=True)
def _d(demo_data): pass

JS = """() => { const out=[]; for (const el of document.querySelectorAll('body *')) { const r=el.getBoundingClientRect(); if (r.right > 321) out.push([el.tagName, el.className, el.id, Math.round(r.right), (el.textContent||'').trim().slice(0,60)]); } return out.slice(0,25); }"""

def test_probe(narrow_page: Page, live_server: Any) -> None:
    page = narrow_page
    org = Organisation.objects.get(municipality__number="3411")
    login(page, live_server, "kari@demo.medlemsportal.no")
    page.goto(live_server.url + reverse("memberships:sign", args=[org.pk]))
    for row in page.evaluate(JS): print("SIGN", row)
    page.fill("#id_password", DEMO_PASSWORD); page.check("#id_confirm")
    with page.expect_navigation(): page.click("main form button[type=submit]")
    for row in page.evaluate(JS): print("SIGNED", row)
    print("W", page.evaluate("document.documentElement.scrollWidth"))
    page.goto(live_server.url + org.get_absolute_url())
    for row in page.evaluate(JS): print("ORG", row)
    page.goto(live_server.url + reverse("memberships:verify"))
    for row in page.evaluate(JS): print("VERIFY", row)

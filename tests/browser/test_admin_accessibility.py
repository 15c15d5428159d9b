"""The staff admin (Django admin) with axe-core: its front page, a list and a change form of every model
a system administrator reaches (issue 20). Prints the number of violations per page with ``-s``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import Page

from .conftest import WCAG_TAGS, login, new_context

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.medlemsportal.no"  # system administrator (superuser)


@pytest.fixture(autouse=True)
def _demo_data(demo_data: None) -> None:
    """Reference data and the demo personas (see conftest.demo_data)."""


def _axe(page: Page) -> list[dict[str, Any]]:
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=f"{origin}/__browser-tests__/axe.min.js")
    return page.evaluate(  # type: ignore[no-any-return]
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}})).violations
            .map(v => ({id: v.id, nodes: v.nodes.length, target: v.nodes[0].target.join(" ")}))""",
        WCAG_TAGS,
    )


def admin_pages() -> list[str]:
    """The admin's front page, and for each registered model its list and (where a row exists) a change form."""
    pages = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return pages


def test_the_staff_admin_has_no_axe_violations(browser: Any, live_server: Any) -> None:
    # Its own context: the admin's scripts set inline styles the CSP refuses (counted and printed here,
    # a known finding), which the shared fixture would turn into a teardown error.
    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, ADMIN)
    found: dict[str, list[dict[str, Any]]] = {}
    pages = admin_pages()
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.ok, f"{path} answered {response and response.status}"
        violations = _axe(page)
        if violations:
            found[path] = violations
    total = sum(v["nodes"] for vs in found.values() for v in vs)
    by_rule: dict[str, int] = {}
    for vs in found.values():
        for v in vs:
            by_rule[v["id"]] = by_rule.get(v["id"], 0) + v["nodes"]
    csp = len(context.csp_violations)  # type: ignore[attr-defined]  # collected by new_context
    context.close()
    print(f"\nadmin axe: {len(pages)} pages, {len(found)} with violations, {total} elements; by rule: {by_rule}")
    print(f"admin CSP: {csp} inline styles refused")
    for path, vs in found.items():
        print(f"  {path}: " + "; ".join(f"{v['id']} ×{v['nodes']} ({v['target']})" for v in vs))
    assert not found, f"{total} axe violations on {len(found)} of {len(pages)} admin pages: {by_rule}"

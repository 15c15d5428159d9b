from typing import Any

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_every_page_sends_a_strict_content_security_policy(client: Any) -> None:
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_are_never_cached(world: Any, login: Any) -> None:
    response = login(world["member_a"]).get(reverse("dashboards:home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_load_nothing_from_another_host(client: Any) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "<script>" not in html and "style=" not in html  # nothing inline that the CSP would have to allow


def test_the_language_switcher_changes_the_language_with_a_post(world: Any, login: Any) -> None:
    client = login(world["member_a"])
    assert 'lang="nb"' in client.get(reverse("dashboards:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboards:home")})
    page = client.get(reverse("dashboards:home")).content.decode()
    assert 'lang="en"' in page and "Skip to main content" in page

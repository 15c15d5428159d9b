"""Error pages: the portal's layout, the user's language, plain words, the customer centre, a reference;
never whether a hidden object exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.error_urls")]


def _get(client: Client, url: str, lang: str = "en", **extra: Any) -> Any:
    return client.get(url, HTTP_ACCEPT_LANGUAGE=lang, **extra)


def test_404_in_the_layout_with_help_and_a_reference(client: Client) -> None:
    response = _get(client, "/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in body and "Page not found" in body
    assert "kundesenter@nhn.no" in body and "24 20 00 00" in body
    assert response["X-Request-ID"] in body


def test_404_is_in_norwegian_by_default(client: Client) -> None:
    body = _get(client, "/no-such-page/", lang="nb").content.decode()
    assert "Fant ikke siden" in body
    assert "Page not found" not in body


def test_a_hidden_organisation_and_a_missing_one_read_the_same(world: Any, login: Any) -> None:
    client = login(world["admin_a"])
    hidden = _get(client, f"/organisations/{world.org_b.pk}/")
    missing = _get(client, "/organisations/999999999/")
    assert hidden.status_code == missing.status_code == 404

    def strip(response: Any) -> str:
        path = response.wsgi_request.get_full_path()
        body = response.content.decode().replace(response["X-Request-ID"], "").replace(path, "")
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", body)

    assert strip(hidden) == strip(missing)


def test_403_says_why_only_when_the_reason_is_the_users_own(client: Client) -> None:
    plain = _get(client, "/__test__/forbidden/")
    assert plain.status_code == 403
    assert "internal detail" not in plain.content.decode()
    assert "Your role does not let you" in plain.content.decode()
    reasoned = _get(client, "/__test__/forbidden-reason/")
    assert reasoned.status_code == 403
    assert "Your delegation for Ringsaker expired on 1 March." in reasoned.content.decode()


def test_400_in_the_layout(client: Client) -> None:
    response = _get(client, "/__test__/bad/")
    assert response.status_code == 400
    assert "Something was wrong with the request" in response.content.decode()


def test_500_without_details_but_with_a_reference(client: Client) -> None:
    client.raise_request_exception = False
    response = _get(client, "/__test__/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "a bug" not in body and "Traceback" not in body
    assert response["X-Request-ID"] in body and "kundesenter@nhn.no" in body


def test_500_in_norwegian(client: Client) -> None:
    client.raise_request_exception = False
    body = _get(client, "/__test__/boom/", lang="nb").content.decode()
    assert "Noe gikk galt" in body


def test_a_refused_form_explains_itself(client: Client) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/__test__/form/", {"x": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 403
    assert "The form could not be sent" in body and "Nothing from the refused form was saved" in body
    assert 'class="site-header"' in body


def test_a_safe_incoming_request_id_is_kept_and_a_bad_one_replaced(client: Client) -> None:
    kept = _get(client, "/no-such-page/", HTTP_X_REQUEST_ID="proxy-1234abcd")
    assert kept["X-Request-ID"] == "proxy-1234abcd"
    replaced = _get(client, "/no-such-page/", HTTP_X_REQUEST_ID="<script>")
    assert replaced["X-Request-ID"] != "<script>" and len(replaced["X-Request-ID"]) == 32

"""The token and webhook pages, and `manage.py api_token`."""

from __future__ import annotations

from typing import Any

from core.models import AuditEvent
from integrations.models import ApiToken, WebhookEndpoint
from integrations.services import token_hash


def test_an_administrator_makes_a_token_that_is_shown_once(world: Any, client: Any, login: Any) -> None:
    login(world["admin_a"])
    url = f"/integrations/{world.org_a.pk}/tokens/"
    assert "API tokens" in client.get(f"/organisations/{world.org_a.pk}/").content.decode()
    response = client.post(url, {"description": "EPJ-leverandør", "write_enabled": "on"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("mpt_") and token.key_hash == token_hash(secret) and token.write_enabled
    assert token.owner == world["admin_a"] and token.organisation == world.org_a
    assert AuditEvent.objects.filter(action="api_token.created", object_id=str(token.pk)).exists()
    # Never again: the list shows the prefix only.
    page = client.get(url).content.decode()
    assert token.prefix in page and secret not in page
    response = client.post(f"/integrations/{world.org_a.pk}/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_bad_input_is_refused_with_a_message(world: Any, client: Any, login: Any) -> None:
    login(world["admin_a"])
    response = client.post(f"/integrations/{world.org_a.pk}/tokens/", {"description": "", "expires_on": "2001-01-01"})
    assert response.status_code == 400 and not ApiToken.objects.exists()
    assert "There is a problem" in response.content.decode()
    response = client.post(
        f"/integrations/{world.org_a.pk}/webhooks/",
        {"url": "https://169.254.169.254/latest/", "event_types": ["order.changed"]},
    )
    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()
    assert "private or internal" in response.content.decode()


def test_a_webhook_secret_is_shown_once(world: Any, client: Any, login: Any) -> None:
    login(world["admin_a"])
    response = client.post(
        f"/integrations/{world.org_a.pk}/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["order.changed", "membership.signed"]},
    )
    assert response.status_code == 200
    assert response.context["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get().event_types == ["membership.signed", "order.changed"]


def test_the_command_prints_the_token_once(world: Any, manage: Any) -> None:
    code, out, err = manage(
        "api_token", "create", "--organisation", world.org_a.org_number, "--read-only", "--expires", "2099-01-01"
    )
    assert code == 0, err
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(out.strip()) and not token.write_enabled
    assert token.owner == world["system_admin"] and str(token.expires_on) == "2099-01-01"
    code, out, _err = manage("api_token", "create", "--national")
    assert code == 0 and ApiToken.objects.get(organisation=None).write_enabled is False
    code, out, _err = manage("api_token", "list")
    assert "national" in out and world.org_a.org_number in out and out.count("…") == 2
    code, out, _err = manage("api_token", "revoke", token.prefix)
    assert code == 0 and ApiToken.objects.get(pk=token.pk).revoked_at is not None
    code, _out, err = manage("api_token", "create", "--organisation", "974760673")
    assert code != 0 and "No organisation" in err
    code, _out, err = manage("api_token", "create", "--organisation", world.org_a.org_number, "--expires", "soon")
    assert code != 0

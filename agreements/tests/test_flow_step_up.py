"""The guided flow's signing step steps up like the membership terms (accounts.step_up): a session from
ID-porten is sent to a fresh ID-porten login at IDPORTEN_SIGNING_ACR and comes back to step 4, never asked
for a password; a password session types its password. The service signing records the step-up used."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.oidc.testing import handoff_url
from accounts.step_up import OIDC, PASSWORD
from agreements.choices import FlowStep
from agreements.models import ServiceSigning
from agreements.tests.factories import PASSWORD as FACTORY_PASSWORD
from agreements.tests.factories import make_agreement, publish_new_terms
from core.models import AuditEvent

NOW = dt.datetime(2027, 3, 2, 10, 15, 30, tzinfo=ZoneInfo("Europe/Oslo"))  # after the test CA was made
HIGH = "idporten-loa-high"


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def id_porten(settings: Any) -> None:
    """ID-porten offered (the step-up only builds URLs to it here; no request reaches it)."""
    settings.IDPORTEN_ISSUER = "http://127.0.0.1:9/idporten"
    settings.IDPORTEN_CLIENT_ID = "medlemsportal-test"
    settings.IDPORTEN_CLIENT_SECRET = "test-only-secret"


@pytest.fixture
def connection(member_a: Any) -> Any:
    """A holds the Helsenett connection on old terms: the flow re-signs it."""
    agreement = make_agreement(member_a.org_a, "helsenettforbindelse")
    publish_new_terms("helsenettforbindelse", actor=member_a["membership_manager"])
    agreement.refresh_from_db()
    return agreement


def flow_url(org: Any, step: int | None = None) -> str:
    url = reverse("agreements:guided_flow", args=[org.pk])
    return f"{url}?step={step}" if step else url


def to_review(client: Client, org: Any, connection: Any) -> dict[str, Any]:
    """Keep the connection, order nothing: the review step's form data (token and the list shown)."""
    for step, data in ((FlowStep.RESIGN, {"keep": [connection.pk]}), (FlowStep.ORDER, {"services": []})):
        page = client.get(flow_url(org, step))
        token = str(page.context["state"].flow.token)
        assert client.post(flow_url(org), {"step": step, "flow_token": token, **data}).status_code == 302
    page = client.get(flow_url(org, FlowStep.CONFIRM))
    assert page.context["step"] == FlowStep.CONFIRM
    return {
        "step": FlowStep.CONFIRM,
        "flow_token": str(page.context["state"].flow.token),
        "shown": page.context["shown"],
        "page": page,
    }


def provider_login(client: Client, user: Any, *, acr: str) -> None:
    client.force_login(user, backend="accounts.backends.PortalBackend")
    session = client.session
    session["oidc"] = {"provider": "idporten", "acr": acr, "auth_time": int(time.time())}
    session.save()


def test_a_session_from_id_porten_steps_up_there_and_signs_the_services(
    client: Client, member_a: Any, connection: Any
) -> None:
    org, director = member_a.org_a, member_a["admin_a"]
    provider_login(client, director, acr="idporten-loa-substantial")
    review = to_review(client, org, connection)
    page = review.pop("page")
    assert 'name="password"' not in page.content.decode()
    assert 'id="step-up-notice"' in page.content.decode()

    # Signing sends her to ID-porten at the signing level, back to step 4; nothing is signed meanwhile.
    away = client.post(flow_url(org), {**review, "confirm": "on", "password": FACTORY_PASSWORD})
    assert away.status_code == 200
    query = parse_qs(urlsplit(handoff_url(away)).query)
    assert query["acr"] == [HIGH] and query["next"] == [flow_url(org, FlowStep.CONFIRM)]
    assert not ServiceSigning.objects.exists()

    # Back from a fresh login at level high (what the OIDC callback stores), on step 4 with her confirmation.
    provider_login(client, director, acr=HIGH)
    session = client.session
    session["step_up_pending"] = flow_url(org, FlowStep.CONFIRM)
    session.save()
    page = client.get(flow_url(org, FlowStep.CONFIRM))
    assert page.context["sign_form"]["confirm"].value() is True
    response = client.post(flow_url(org), {**review, "confirm": "on"})

    signing = ServiceSigning.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:signing_detail", args=[signing.pk])
    assert signing.step_up == {
        "method": OIDC,
        "provider": "idporten",
        "acr": HIGH,
        "auth_time": dt.datetime.fromtimestamp(int(time.time()), tz=dt.UTC).isoformat(),
    }
    assert AuditEvent.objects.get(action="services.signed").after["step_up"] == signing.step_up


def test_a_password_session_signs_the_services_with_its_password(
    client: Client, member_a: Any, connection: Any, login: Any
) -> None:
    org = member_a.org_a
    client = login(member_a["admin_a"])
    review = to_review(client, org, connection)
    assert 'name="password"' in review.pop("page").content.decode()

    wrong = client.post(flow_url(org), {**review, "confirm": "on", "password": "wrong-horse"})
    assert wrong.status_code == 400
    assert not ServiceSigning.objects.exists()
    response = client.post(flow_url(org), {**review, "confirm": "on", "password": FACTORY_PASSWORD})

    assert response.status_code == 302
    assert ServiceSigning.objects.get().step_up == {"method": PASSWORD}

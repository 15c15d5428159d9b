"""A signature in the guided flow binds exactly what the review step showed; a finished flow cannot be
replayed from a stale tab; ending a service — above all the Helsenett connection — is never a side effect
of a form; a delegate signs services but ends nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agreements.choices import AgreementState, FlowStep
from agreements.models import ServiceAgreement, ServiceFlow, ServiceSigning
from agreements.tests.factories import PASSWORD, make_agreement, publish_new_terms, service
from core.models import AuditEvent
from memberships import services as membership_services
from orders.models import Order
from organisations.tests.factories import UserFactory

NOW = dt.datetime(2027, 3, 2, 10, 15, 30, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def holdings(member_a: Any) -> dict[str, Any]:
    """A holds the connection (new terms: must re-sign) and Domene (up to date)."""
    agreements = {
        "helsenettforbindelse": make_agreement(member_a.org_a, "helsenettforbindelse"),
        "domene": make_agreement(member_a.org_a, "domene"),
    }
    publish_new_terms("helsenettforbindelse", actor=member_a["membership_manager"])
    for agreement in agreements.values():
        agreement.refresh_from_db()
    return agreements


def flow_url(org: Any, step: int | None = None) -> str:
    url = reverse("agreements:guided_flow", args=[org.pk])
    return f"{url}?step={step}" if step else url


def page_fields(page: Any) -> dict[str, Any]:
    """The hidden fields a page's form carries back."""
    fields = {"step": page.context["step"], "flow_token": str(page.context["state"].flow.token)}
    if page.context["step"] == FlowStep.CONFIRM:
        fields["shown"] = page.context["shown"]
    return fields


def live_states(org: Any) -> dict[str, str]:
    return dict(ServiceAgreement.objects.filter(organisation=org).values_list("service__slug", "state"))


def to_review(client: Any, org: Any, keep: list[int]) -> Any:
    page = client.get(flow_url(org, FlowStep.RESIGN))
    client.post(flow_url(org), {**page_fields(page), "keep": keep, "confirm_drop": "1"})
    page = client.get(flow_url(org, FlowStep.ORDER))
    client.post(flow_url(org), {**page_fields(page), "services": []})
    return client.get(flow_url(org, FlowStep.CONFIRM))


def test_a_stale_tab_of_a_finished_flow_changes_nothing_and_says_it_was_signed(
    member_a: Any, holdings: Any, login: Any
) -> None:
    org = member_a.org_a
    client = login(member_a["admin_a"])
    connection = holdings["helsenettforbindelse"]
    review = to_review(client, org, keep=[connection.pk, holdings["domene"].pk])
    stale_review = page_fields(review)  # the same review step, open in a second tab
    stale_resign = {**stale_review, "step": FlowStep.RESIGN}  # …or a Back to step 2

    first = client.post(flow_url(org), {**stale_review, "password": PASSWORD, "confirm": "on"})
    assert first.status_code == 302
    signing = ServiceSigning.objects.get()
    before = (live_states(org), ServiceSigning.objects.count(), Order.objects.count(), AuditEvent.objects.count())

    for replay in (
        {**stale_review, "password": PASSWORD, "confirm": "on"},
        {**stale_resign},  # an empty "keep" list: must not end every agreement
    ):
        response = client.post(flow_url(org), replay)
        assert response.status_code == 302 and response["Location"] == flow_url(org)
        assert (
            live_states(org),
            ServiceSigning.objects.count(),
            Order.objects.count(),
            AuditEvent.objects.count(),
        ) == before
        notes = [str(m) for m in client.get(response["Location"]).context["messages"]]
        assert (
            f"Denne veiviseren er allerede signert av Anne Admin {NOW:%d.%m.%Y %H:%M}. Ingenting ble endret." in notes
        )
    assert live_states(org) == {"helsenettforbindelse": AgreementState.ACTIVE, "domene": AgreementState.ACTIVE}
    assert signing.flow_token is not None


def test_an_empty_step_two_never_ends_the_connection_without_its_own_warned_confirmation(
    member_a: Any, holdings: Any, login: Any
) -> None:
    org = member_a.org_a
    client = login(member_a["admin_a"])
    page = client.get(flow_url(org, FlowStep.RESIGN))

    warned = client.post(flow_url(org), {**page_fields(page)})  # nothing checked

    assert warned.status_code == 400
    content = warned.content.decode()
    assert "Du er i ferd med å avslutte disse avtalene" in content
    assert "Organisasjonens Helsenett-forbindelse opphører" in content
    assert ServiceFlow.objects.get(organisation=org).drop == []
    assert live_states(org) == {"helsenettforbindelse": AgreementState.MUST_RESIGN, "domene": AgreementState.ACTIVE}


def test_terms_published_between_review_and_sign_are_not_signed_and_the_change_is_listed(
    member_a: Any, holdings: Any, login: Any
) -> None:
    org = member_a.org_a
    client = login(member_a["admin_a"])
    review = to_review(client, org, keep=[holdings["helsenettforbindelse"].pk, holdings["domene"].pk])
    fields = page_fields(review)
    publish_new_terms("helsenettforbindelse", actor=member_a["membership_manager"], label="2027.2")
    before = (live_states(org), ServiceSigning.objects.count(), AuditEvent.objects.count())

    response = client.post(flow_url(org), {**fields, "password": PASSWORD, "confirm": "on"})

    assert response.status_code == 409
    assert (live_states(org), ServiceSigning.objects.count(), AuditEvent.objects.count()) == before
    assert response.context["changes"] == ["Helsenettforbindelse: nye vilkår 2027.2 (du ble vist 2026.1)."]
    again = client.post(flow_url(org), {**page_fields(response), "password": PASSWORD, "confirm": "on"})
    assert again.status_code == 302
    assert ServiceSigning.objects.get().items[0]["terms"] == "2027.2"


def test_a_delegate_signs_services_but_cannot_end_one(member_a: Any, holdings: Any, login: Any) -> None:
    org = member_a.org_a
    delegate = UserFactory(email="dina@example.no", full_name="Dina Delegat")
    membership_services.signing_delegate(
        actor=member_a["admin_a"],
        organisation=org,
        user=delegate,
        until=dt.date(2027, 6, 1),
        agreements=["services"],
        confirm_outsider=True,
    )
    client = login(delegate)
    page = client.get(flow_url(org, FlowStep.RESIGN))
    assert page.status_code == 200

    refused = client.post(flow_url(org), {**page_fields(page), "keep": [holdings["domene"].pk], "confirm_drop": "1"})
    assert refused.status_code == 400
    assert ServiceFlow.objects.get(organisation=org).drop == []

    review = to_review(client, org, keep=[holdings["helsenettforbindelse"].pk, holdings["domene"].pk])
    response = client.post(flow_url(org), {**page_fields(review), "password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == flow_url(org)  # not the organisation's pages
    signing = ServiceSigning.objects.get()
    assert signing.signer == delegate and signing.basis == "delegated"
    assert client.get(reverse("agreements:signing_detail", args=[signing.pk])).status_code == 404
    terminate = reverse("agreements:agreement_terminate", args=[holdings["domene"].pk])
    assert client.post(terminate, {"reason": "x", "include_dependents": "on"}).status_code == 404
    assert live_states(org)["domene"] == AgreementState.ACTIVE
    assert service("domene").name in [a.service.name for a in ServiceAgreement.objects.live().filter(organisation=org)]

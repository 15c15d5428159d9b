"""The guided flow: 1 membership, 2 re-sign, 3 order, 4 review and sign; choices stored and resumed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agreements import flow
from agreements.choices import AgreementState, FlowStep
from agreements.models import ServiceAgreement, ServiceFlow, ServiceSigning
from agreements.tests.factories import PASSWORD, make_agreement, publish_new_terms, service
from conftest import sign_for
from orders.models import Order

NOW = dt.datetime(2027, 3, 2, 10, 15, 30, tzinfo=ZoneInfo("Europe/Oslo"))  # after the test CA was made


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


# --- flow.load / allowed_step ------------------------------------------------------------------------------------


def post_step(client: Any, org: Any, step: int, data: dict[str, Any]) -> Any:
    """Submit a step as its page does: with the flow's token and, on the review step, the list shown."""
    page = client.get(flow_url(org, step))
    extra: dict[str, Any] = {"step": step, "flow_token": str(page.context["state"].flow.token)}
    if step == FlowStep.CONFIRM:
        extra["shown"] = page.context["shown"]
    return client.post(flow_url(org), {**extra, **data})


def test_step_one_until_the_membership_terms_are_signed(world: Any, terms: Any, catalogue: Any) -> None:
    state = flow.load(world.org_a)
    assert not state.membership_done
    assert state.membership_version == terms.published
    assert state.allowed_step(None) == FlowStep.MEMBERSHIP
    assert state.allowed_step(FlowStep.CONFIRM) == FlowStep.MEMBERSHIP

    sign_for(world, terms, world.org_a, world["admin_a"])

    state = flow.load(world.org_a)
    assert state.membership_done
    assert state.allowed_step(None) == FlowStep.RESIGN
    assert state.allowed_step(FlowStep.CONFIRM) == FlowStep.RESIGN  # never a step not reached yet
    assert state.allowed_step(0) == FlowStep.MEMBERSHIP  # an earlier step asked for is shown


def test_an_unsigned_newer_membership_version_sends_the_flow_back_to_step_one(member_a: Any, terms: Any) -> None:
    state = flow.load(member_a.org_a)
    flow.save_resign(state, keep=[], actor=member_a["admin_a"], drop_confirmed=True)
    from memberships.services import terms_publish

    terms.draft.required_forms = ["KOMM"]
    terms.draft.save()
    terms_publish(actor=member_a["membership_manager"], version=terms.draft)

    state = flow.load(member_a.org_a)
    assert state.flow.step == FlowStep.ORDER  # the stored choices stay
    assert state.allowed_step(None) == FlowStep.MEMBERSHIP


def test_the_flow_resumes_at_the_stored_step_with_the_stored_choices(member_a: Any, holdings: Any) -> None:
    admin = member_a["admin_a"]
    connection, domain = holdings["helsenettforbindelse"], holdings["domene"]

    flow.save_resign(flow.load(member_a.org_a), keep=[connection.pk], actor=admin, drop_confirmed=True)

    state = flow.load(member_a.org_a)  # the signatory left and came back
    assert state.allowed_step(None) == FlowStep.ORDER
    assert state.allowed_step(FlowStep.RESIGN) == FlowStep.RESIGN
    assert (state.flow.keep, state.flow.drop) == ([connection.pk], [domain.pk])
    assert state.flow.updated_by == admin
    selection = state.selection()
    assert selection.keep == [connection] and selection.drop == [domain] and selection.order == []

    flow.save_order(state, wanted=[service("helseid").pk], actor=admin)

    state = flow.load(member_a.org_a)
    assert state.allowed_step(None) == FlowStep.CONFIRM
    assert state.flow.order == [service("helseid").pk]
    assert state.selection().order == [service("helseid")]
    assert state.selection().keep == [connection]


def test_only_agreements_on_old_terms_are_re_signed(member_a: Any, holdings: Any) -> None:
    state = flow.load(member_a.org_a)
    flow.save_resign(state, keep=[a.pk for a in holdings.values()], actor=member_a["admin_a"], drop_confirmed=True)
    selection = flow.load(member_a.org_a).selection()
    assert selection.keep == [holdings["helsenettforbindelse"]]  # Domene is up to date: nothing to re-sign
    assert selection.drop == []


def test_save_order_adds_missing_orderable_prerequisites_and_says_so(member_a: Any) -> None:
    state = flow.load(member_a.org_a)
    added = flow.save_order(state, wanted=[service("kjernejournal").pk], actor=member_a["admin_a"])

    stored = ServiceFlow.objects.get(organisation=member_a.org_a)
    assert sorted(stored.order) == sorted(service(s).pk for s in ["kjernejournal", "helseid", "helsenettforbindelse"])
    assert stored.step == FlowStep.CONFIRM
    assert len(added) == 2
    assert any("HelseID" in sentence and "Kjernejournal" in sentence for sentence in added)
    assert any("Helsenettforbindelse" in sentence and "Kjernejournal" in sentence for sentence in added)


def test_save_order_adds_a_shared_prerequisite_once(member_a: Any) -> None:
    state = flow.load(member_a.org_a)
    wanted = [service("e-resept").pk, service("adresseregisteret").pk]
    added = flow.save_order(state, wanted=wanted, actor=member_a["admin_a"])
    order = flow.load(member_a.org_a).flow.order
    assert order.count(service("helsenettforbindelse").pk) == 1
    assert len(order) == 3
    assert len(added) == 1


def test_save_order_does_not_add_what_is_held_or_already_ordered(member_a: Any, holdings: Any) -> None:
    from agreements.tests.factories import make_order

    make_order(member_a.org_a, "helseid", member_a["admin_a"])
    state = flow.load(member_a.org_a)
    assert service("helseid") not in state.orderable  # ordered already
    added = flow.save_order(state, wanted=[service("kjernejournal").pk], actor=member_a["admin_a"])
    assert added == []
    assert flow.load(member_a.org_a).flow.order == [service("kjernejournal").pk]


def test_save_order_ignores_what_cannot_be_ordered(member_a: Any) -> None:
    state = flow.load(member_a.org_a)
    planned = service("helsenett-sky").pk
    flow.save_order(state, wanted=[planned, 999_999], actor=member_a["admin_a"])
    assert flow.load(member_a.org_a).flow.order == []


def test_an_agreement_ended_meanwhile_drops_out_of_the_stored_choices(member_a: Any, holdings: Any) -> None:
    connection = holdings["helsenettforbindelse"]
    flow.save_resign(flow.load(member_a.org_a), keep=[connection.pk], actor=member_a["admin_a"], drop_confirmed=True)
    ServiceAgreement.objects.filter(pk=connection.pk).update(state=AgreementState.TERMINATED)
    assert flow.load(member_a.org_a).selection().keep == []


# --- the view, end to end ----------------------------------------------------------------------------------------


def test_the_guided_flow_end_to_end(member_a: Any, holdings: Any, login: Any) -> None:
    world = member_a
    org = world.org_a
    client = login(world["admin_a"])
    connection, domain = holdings["helsenettforbindelse"], holdings["domene"]

    page = client.get(flow_url(org))
    assert page.status_code == 200
    assert page.context["step"] == FlowStep.RESIGN
    assert "Helsenettforbindelse" in page.content.decode() and "Domene" in page.content.decode()

    # Dropping Domene is not a side effect of the form: it needs its own, warned confirmation.
    warned = post_step(client, org, FlowStep.RESIGN, {"keep": [connection.pk]})
    assert warned.status_code == 400
    assert [a.service.slug for a, _lines in warned.context["drop_warning"]] == ["domene"]
    assert ServiceFlow.objects.get(organisation=org).drop == []
    response = post_step(client, org, FlowStep.RESIGN, {"keep": [connection.pk], "confirm_drop": "1"})
    assert response.status_code == 302
    assert response["Location"] == flow_url(org, FlowStep.ORDER)

    page = client.get(flow_url(org, FlowStep.ORDER))
    assert page.status_code == 200
    assert page.context["step"] == FlowStep.ORDER
    assert "Kjernejournal" in page.content.decode()

    response = post_step(client, org, FlowStep.ORDER, {"services": [service("kjernejournal").pk]})
    assert response.status_code == 302
    assert response["Location"] == flow_url(org, FlowStep.CONFIRM)

    page = client.get(flow_url(org, FlowStep.CONFIRM))
    assert page.status_code == 200
    assert page.context["step"] == FlowStep.CONFIRM
    notes = [str(m) for m in page.context["messages"]]
    assert any("HelseID" in n for n in notes)  # the prerequisite added, and why
    content = page.content.decode()
    for name in ["Helsenettforbindelse", "Kjernejournal", "HelseID"]:
        assert name in content
    assert page.context["problems"] == []
    assert [s.slug for s, _e in page.context["estimates"]] == ["helsenettforbindelse", "kjernejournal", "helseid"]

    wrong = post_step(client, org, FlowStep.CONFIRM, {"password": "feil", "confirm": "on"})
    assert wrong.status_code == 400
    assert ServiceSigning.objects.count() == 0
    assert ServiceFlow.objects.filter(organisation=org).exists()

    response = post_step(client, org, FlowStep.CONFIRM, {"password": PASSWORD, "confirm": "on"})

    signing = ServiceSigning.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:signing_detail", args=[signing.pk])
    assert not ServiceFlow.objects.filter(organisation=org).exists()
    assert sorted(i["slug"] for i in signing.items) == ["helseid", "helsenettforbindelse", "kjernejournal"]
    assert sorted(Order.objects.values_list("service__slug", flat=True)) == ["helseid", "kjernejournal"]
    connection.refresh_from_db()
    domain.refresh_from_db()
    assert connection.state == AgreementState.ACTIVE and connection.terms_version.label == "2026.1"
    assert domain.state == AgreementState.TERMINATED
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "Kjernejournal" in detail.content.decode()

    # the next visit starts afresh, at step 2
    assert client.get(flow_url(org)).context["step"] == FlowStep.RESIGN


def test_leaving_and_coming_back_in_a_new_session_lands_on_the_stored_step(member_a: Any, holdings: Any) -> None:
    org = member_a.org_a
    first = Client()
    first.force_login(member_a["admin_a"], backend="accounts.backends.PortalBackend")
    keep = [holdings["helsenettforbindelse"].pk]
    post_step(first, org, FlowStep.RESIGN, {"keep": keep, "confirm_drop": "1"})
    post_step(first, org, FlowStep.ORDER, {"services": [service("helseid").pk]})

    later = Client()  # another browser, another day
    later.force_login(member_a["admin_a"], backend="accounts.backends.PortalBackend")
    page = later.get(flow_url(org))
    assert page.status_code == 200
    assert page.context["step"] == FlowStep.CONFIRM
    assert page.context["selection"].keep == [holdings["helsenettforbindelse"]]
    assert page.context["selection"].drop == [holdings["domene"]]
    assert page.context["selection"].order == [service("helseid")]

    back = later.get(flow_url(org, FlowStep.RESIGN))
    assert back.context["keep_checked"] == {holdings["helsenettforbindelse"].pk}


def test_before_the_membership_is_signed_the_view_shows_step_one_only(
    world: Any, terms: Any, catalogue: Any, login: Any
) -> None:
    client = login(world["admin_a"])
    page = client.get(flow_url(world.org_a, FlowStep.ORDER))
    assert page.status_code == 200
    assert page.context["step"] == FlowStep.MEMBERSHIP
    assert reverse("memberships:sign", args=[world.org_a.pk]) in page.content.decode()

    refused = client.post(flow_url(world.org_a), {"step": FlowStep.RESIGN, "keep": []})
    assert refused.status_code == 302  # a form for a step that is not open changes nothing
    assert ServiceFlow.objects.get(organisation=world.org_a).step == FlowStep.MEMBERSHIP


def test_restart_clears_the_choices(member_a: Any, holdings: Any, login: Any) -> None:
    client = login(member_a["admin_a"])
    post_step(client, member_a.org_a, FlowStep.RESIGN, {"keep": [], "confirm_drop": "1"})
    assert ServiceFlow.objects.get(organisation=member_a.org_a).drop

    response = client.post(reverse("agreements:flow_restart", args=[member_a.org_a.pk]))

    assert response.status_code == 302
    assert not ServiceFlow.objects.filter(organisation=member_a.org_a).exists()
    page = client.get(flow_url(member_a.org_a))
    assert page.context["step"] == FlowStep.RESIGN
    assert page.context["keep_checked"] == {a.pk for a in holdings.values()}


def test_a_selection_with_problems_is_shown_on_the_review_step(member_a: Any, login: Any) -> None:
    """The connection is ordered, then its order is withdrawn elsewhere: E-resept now lacks it."""
    from agreements.tests.factories import make_order

    admin = member_a["admin_a"]
    order = make_order(member_a.org_a, "helsenettforbindelse", admin)
    flow.save_resign(flow.load(member_a.org_a), keep=[], actor=admin, drop_confirmed=True)
    flow.save_order(flow.load(member_a.org_a), wanted=[service("e-resept").pk], actor=admin)
    Order.objects.filter(pk=order.pk).update(state="cancelled")

    page = login(admin).get(flow_url(member_a.org_a))
    assert page.context["step"] == FlowStep.CONFIRM
    assert any("Helsenettforbindelse" in p for p in page.context["problems"])


@pytest.mark.parametrize("step", [FlowStep.RESIGN, FlowStep.ORDER, FlowStep.CONFIRM])
def test_each_step_runs_a_bounded_number_of_queries(
    member_a: Any, holdings: Any, login: Any, step: int, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = member_a.org_a
    client = login(member_a["admin_a"])

    def measure() -> int:
        state = flow.load(org)
        flow.save_resign(state, keep=[a.pk for a in state.agreements], actor=member_a["admin_a"], drop_confirmed=True)
        flow.save_order(flow.load(org), wanted=[s.pk for s in flow.load(org).orderable][:3], actor=member_a["admin_a"])
        client.get(flow_url(org, step))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(flow_url(org, step)).status_code == 200
        return len(captured)

    few = measure()
    for slug in ["helseid", "e-resept", "sfm", "grunndata"]:
        make_agreement(org, slug, state=AgreementState.MUST_RESIGN)
    many = measure()
    assert many == few
    with django_assert_max_num_queries(30):
        client.get(flow_url(org, step))

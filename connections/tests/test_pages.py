"""The pages: list and detail with their flags, staff forms, the organisation panel, the reports, and
the member's tools (assessment with PDF, cloud EPJ decision aid, termination request)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from connections.models import Assessment, CloudDecision, Connection, Outage, TerminationRequest
from core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)

ANSWERS = {
    "users": "400",
    "sites": "12",
    "imaging": "on",
    "video": "on",
    "uptime": "critical",
    "security": "normal",
    "data_processing": "mixed",
    "budget": "high",
    "competence": "own",
    "growth": "strong",
}
DECISION = {
    "vendor": "Skyjournal AS",
    "uptime": "no",
    "troubleshooting": "partly",
    "robustness": "unknown",
    "redundancy": "no",
    "capacity": "yes",
    "preparedness": "no",
}


@pytest.fixture
def lost_services(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    services = [SimpleNamespace(name="Kjernejournal"), SimpleNamespace(name="E-resept")]
    monkeypatch.setattr("agreements.selectors.services_needing_connection", lambda organisation: services)
    return services


def test_the_list_shows_staff_everything_and_members_their_own_and_shared(
    world: Any, login: Any, make_connection: Any, django_assert_max_num_queries: Any
) -> None:
    own = make_connection(world.org_a, site_address="Rådhuset Brumunddal")
    other = make_connection(world.org_b, site_address="Bergen rådhus")
    shared = make_connection(world.org_b, site_address="Felles linje Kaigaten")
    shared.shared_with.add(world.org_a)
    for i in range(15):
        make_connection(world.org_b, site_address=f"Legekontor {i}")
    client = login(world["membership_manager"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("connections:connection_list"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 18
    client = login(world["member_a"])
    page = client.get(reverse("connections:connection_list")).context["page"]
    assert set(page.object_list) == {own, shared}
    assert other not in page.object_list


def test_the_list_flags_and_filters(world: Any, login: Any, make_connection: Any, member: Any) -> None:
    flagged = make_connection(world.org_a)
    make_connection(world.org_b, status="planned", ordered_on=None, activated_on=None)
    member(world.org_b)
    member(world.enterprise_b)
    client = login(world["system_admin"])
    response = client.get(reverse("connections:connection_list"))
    body = response.content.decode()
    assert "membership is not in force" in body
    assert response.context["without_count"] == 1  # the enterprise: member without any connection
    assert world.enterprise_b.name in body
    response = client.get(reverse("connections:connection_list"), {"flagged": "true"})
    assert list(response.context["page"].object_list) == [flagged]
    response = client.get(reverse("connections:connection_list"), {"status": "planned", "county": ""})
    assert [c.organisation for c in response.context["page"].object_list] == [world.org_b]
    response = client.get(
        reverse("connections:connection_list"), {"diginettverk": world.municipality_a.diginettverk_id}
    )
    assert response.context["page"].paginator.count == 2  # both sites are in municipality A (the fixture)
    response = client.get(reverse("connections:connection_list"), {"status": "nonsense"})
    assert response.context["page"].paginator.count == 0
    partial = client.get(reverse("connections:connection_list"), {"status": "active"}, HTTP_HX_REQUEST="true")
    assert "<h1>" not in partial.content.decode() and "1 connection found" in partial.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_detail_shows_history_outages_and_availability(
    world: Any, login: Any, make_connection: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(world["customer_centre"])
    form = {
        "owner": world.org_a.org_number,
        "sharing": world.enterprise_b.org_number,
        "site_address": "Rådhusgata 1",
        "site_municipality": world.municipality_a.pk,
        "connection_type": 1,
        "provider": "Telenor",
        "bandwidth_mbps": 500,
        "redundancy": "dual",
        "uptime_target": "99.9",
        "status": "active",
        "planned_on": "2024-01-01",
        "ordered_on": "2024-02-01",
        "activated_on": "2024-03-01",
        "technical_contact": world["member_a"].pk,
    }
    response = client.post(reverse("connections:connection_create"), form)
    assert response.status_code == 302
    connection = Connection.objects.get()
    response = client.post(
        reverse("connections:connection_edit", args=[connection.pk]), {**form, "bandwidth_mbps": 1000}
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("connections:connection_edit", args=[connection.pk]), {**form, "activated_on": "2023-01-01"}
    )
    assert bad.status_code == 400 and "error-summary" in bad.content.decode()
    response = client.post(
        reverse("connections:outage_create", args=[connection.pk]),
        {"start": "2025-05-31T22:00", "end": "2025-06-01T02:00", "cause": "Gravearbeid kuttet fiber"},
    )
    assert response.status_code == 302
    outage = Outage.objects.get()
    assert outage.end - outage.start == dt.timedelta(hours=4)
    # 12, and more the first time an outsider opens it: the access log's event (core.access; the chain's last
    # event and the insert, and on PostgreSQL the chain's advisory lock).
    with django_assert_max_num_queries(15):
        response = client.get(connection.get_absolute_url())
    body = response.content.decode()
    assert "Gravearbeid kuttet fiber" in body and "500 → 1000" in body
    months = response.context["figures"].months
    assert [m.down_minutes for m in months[4:6]] == [120, 120]  # May and June each get their part
    assert client.get(connection.get_absolute_url(), {"year": "2024"}).context["figures"].year == 2024


def test_a_sharing_member_reads_the_line_but_outsiders_do_not(world: Any, login: Any, make_connection: Any) -> None:
    connection = make_connection(world.org_b)
    assert login(world["member_a"]).get(connection.get_absolute_url()).status_code == 404
    connection.shared_with.add(world.org_a)
    assert login(world["member_a"]).get(connection.get_absolute_url()).status_code == 200
    assert login(world["member_a"]).get(reverse("connections:connection_edit", args=[connection.pk])).status_code == 403


def test_the_organisation_page_shows_the_panel_and_the_flags(
    world: Any, login: Any, make_connection: Any, member: Any
) -> None:
    member(world.org_a)
    client = login(world["member_a"])
    body = client.get(world.org_a.get_absolute_url()).content.decode()
    assert "This member has no Helsenett connection in use" in body
    assert reverse("connections:assessment_create", args=[world.org_a.pk]) in body
    make_connection(world.org_a, site_address="Rådhuset Brumunddal")
    member(world.org_a, "suspended")
    body = client.get(world.org_a.get_absolute_url()).content.decode()
    assert "Rådhuset Brumunddal" in body and "membership is not in force" in body
    assert "no Helsenett connection in use" not in body


@time_machine.travel(NOW, tick=False)
def test_the_before_and_after_page_compares_two_dates(
    world: Any, login: Any, make_connection: Any, django_assert_max_num_queries: Any
) -> None:
    make_connection(world.org_a, activated_on=dt.date(2025, 3, 1))
    make_connection(
        world.org_b,
        site_municipality=world.municipality_b,
        status="ordered",
        planned_on=dt.date(2024, 6, 1),
        ordered_on=dt.date(2025, 2, 1),
        activated_on=None,
    )
    client = login(world["coordinator_a"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("connections:before_after"), {"before": "2025-01-01", "after": "2025-06-01"})
    report = response.context["report"]
    assert report.national.before == {"ordered": 1, "planned": 1}
    assert report.national.after == {"active": 1, "ordered": 1}
    innlandet = next(row for row in report.counties if row.name == "Innlandet")
    assert innlandet.active_change == 1
    assert (innlandet.municipalities, innlandet.connected_before, innlandet.connected_after) == (1, 0, 1)
    assert (report.national.municipalities, report.national.connected_after) == (2, 1)
    assert [row.name for row in report.networks] == ["Digi Innlandet", "DigiVestland"]
    bad = client.get(reverse("connections:before_after"), {"before": "2025-06-01", "after": "2025-01-01"})
    assert bad.status_code == 400
    assert login(world["member_a"]).get(reverse("connections:before_after")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_backbone_page_shows_availability_against_100_percent(
    world: Any, login: Any, make_connection: Any, django_assert_max_num_queries: Any
) -> None:
    a = make_connection(world.org_a, activated_on=dt.date(2024, 1, 1))
    b = make_connection(world.org_b, activated_on=dt.date(2024, 1, 1))
    start = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    Outage.objects.create(connection=a, start=start, end=start + dt.timedelta(hours=3), cause="Strøm")
    Outage.objects.create(
        connection=a, start=start + dt.timedelta(hours=1), end=start + dt.timedelta(hours=2), cause="x"
    )
    Outage.objects.create(connection=b, start=start, end=start + dt.timedelta(hours=1), cause="y", planned=True)
    client = login(world["cert_analyst"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("connections:backbone_uptime"))
    figures = response.context["figures"]
    assert figures.total.down_seconds == 4 * 3600  # overlap merged: 3 h on A, 1 h on B
    assert figures.total.unplanned_down_seconds == 3 * 3600
    assert "Below the target" in response.content.decode()
    assert login(world["admin_a"]).get(reverse("connections:backbone_uptime")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_a_technical_contact_assesses_and_downloads_the_pdf(world: Any, login: Any, make_connection: Any) -> None:
    make_connection(world.org_a, bandwidth_mbps=100, redundancy="single")
    client = login(world["member_a"])
    url = reverse("connections:assessment_create", args=[world.org_a.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {**ANSWERS, "users": "0"})
    assert bad.status_code == 400 and not Assessment.objects.exists()
    response = client.post(url, ANSWERS)
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    assert (assessment.recommended_bandwidth_mbps, assessment.recommended_redundancy) == (1000, "diverse")
    page = client.get(assessment.get_absolute_url())
    assert [row.ok for row in page.context["comparison"]] == [False, False, False]
    pdf = client.get(reverse("connections:assessment_pdf", args=[assessment.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    # Staff may read it; another municipality may not know it exists; a coordinator has no reason to read it.
    assert login(world["customer_centre"]).get(assessment.get_absolute_url()).status_code == 200
    assert login(world["admin_b"]).get(assessment.get_absolute_url()).status_code == 404
    assert login(world["coordinator_a"]).get(assessment.get_absolute_url()).status_code == 403


def test_the_decision_aid_saves_answers_and_shows_nhns_advice(world: Any, login: Any) -> None:
    client = login(world["member_a"])
    url = reverse("connections:decision_create", args=[world.org_a.pk])
    assert client.post(url, {"vendor": "Sky"}).status_code == 400
    response = client.post(url, DECISION)
    decision = CloudDecision.objects.get()
    assert response["Location"] == decision.get_absolute_url()
    page = client.get(decision.get_absolute_url())
    assert page.context["uncovered"] == 5
    body = page.content.decode()
    assert "three routes" in body
    assert "Only someone who can sign" in body  # a technical contact cannot ask to end the connection


@time_machine.travel(NOW, tick=False)
def test_only_a_signatory_can_ask_to_end_the_connection(
    world: Any, login: Any, make_connection: Any, lost_services: list[Any]
) -> None:
    connection = make_connection(world.org_a)
    url = reverse("connections:termination_request", args=[world.org_a.pk])
    assert login(world["member_a"]).get(url).status_code == 403
    assert login(world["admin_b"]).get(url).status_code == 404
    client = login(world["admin_a"])
    page = client.get(url)
    assert "Kjernejournal" in page.content.decode() and "E-resept" in page.content.decode()
    form = {"connection": connection.pk, "wanted_end": "2025-09-01", "reason": "Vi flytter til sky-EPJ."}
    refused = client.post(url, form)  # not confirmed
    assert refused.status_code == 400 and not TerminationRequest.objects.exists()
    assert client.post(url, {**form, "confirm": "on", "wanted_end": "2025-01-01"}).status_code == 400
    response = client.post(url, {**form, "confirm": "on"})
    assert response.status_code == 302
    request = TerminationRequest.objects.get()
    assert request.services_lost == ["Kjernejournal", "E-resept"]
    assert request.requested_by == world["admin_a"] and request.status == "submitted"
    assert AuditEvent.objects.filter(action="connection.termination_requested", object_id=str(request.pk)).exists()
    mails = OutboundEmail.objects.filter(key__startswith=f"connection-termination:{request.pk}")
    assert {mail.to for mail in mails} == {"kundesenter@nhn.no", world["admin_a"].email}
    assert all("Kjernejournal" in mail.body_text for mail in mails)
    detail = login(world["customer_centre"]).get(connection.get_absolute_url()).content.decode()
    assert "Kjernejournal, E-resept" in detail
    client = login(world["admin_a"])
    again = client.post(url, {**form, "confirm": "on"})
    assert again.status_code == 400 and TerminationRequest.objects.count() == 1


def test_the_termination_service_refuses_others_connections(
    world: Any, make_connection: Any, lost_services: Any
) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from connections.services import termination_request_submit

    other = make_connection(world.org_b)
    kwargs = {"wanted_end": dt.date(2099, 1, 1), "reason": "x", "confirmed": True}
    with pytest.raises(ValidationError):
        termination_request_submit(actor=world["admin_a"], organisation=world.org_a, connection=other, **kwargs)
    with pytest.raises(PermissionDenied):
        termination_request_submit(
            actor=world["member_a"], organisation=world.org_a, connection=make_connection(world.org_a), **kwargs
        )
    assert not TerminationRequest.objects.exists()


def test_the_detail_links_only_organisations_the_reader_may_open(world: Any, login: Any, make_connection: Any) -> None:
    """A line owned by another organisation and shared with the reader's names the owner without a link
    that would end in "not found" (Ola's ENK sees the practice's line)."""
    shared = make_connection(world.org_b, site_address="Felles linje Kaigaten")
    shared.shared_with.add(world.org_a)
    url = reverse("connections:connection_detail", args=[shared.pk])
    body = login(world["member_a"]).get(url).content.decode()
    assert world.org_b.name in body and world.org_b.get_absolute_url() not in body
    assert world.org_a.get_absolute_url() in body
    assert login(world["member_a"]).get(world.org_b.get_absolute_url()).status_code == 404
    staff_body = login(world["membership_manager"]).get(url).content.decode()
    assert world.org_b.get_absolute_url() in staff_body

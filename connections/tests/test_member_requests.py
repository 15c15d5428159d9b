"""Members act on their own connections (issue 20): the owner's administrators and technical contacts
correct the site and contact, ask NHN to change what the agreement fixes, and the customer centre
handles those requests and requests to end a connection (accept, or reject with a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from connections import services
from connections.models import ChangeRequest, ConnectionChange, ConnectionType, TerminationRequest
from core.models import AuditEvent, OutboundEmail
from core.roles import OrganisationRoleType
from organisations.tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def contact_a(world: Any) -> Any:
    """A second technical contact of A, to move the connection's contact to."""
    user = UserFactory(email="tekniker.a@example.no", full_name="Tore Tekniker")
    RoleFactory(user=user, organisation=world.org_a, role=OrganisationRoleType.TECHNICAL_CONTACT)
    return user


@time_machine.travel(NOW, tick=False)
def test_the_owners_technical_contact_corrects_the_site_and_contact_with_history(
    world: Any, login: Any, make_connection: Any, contact_a: Any, django_assert_max_num_queries: Any
) -> None:
    connection = make_connection(world.org_a, site_address="Gamlevegen 1")
    url = reverse("connections:connection_member_edit", args=[connection.pk])
    client = login(world["member_a"])
    assert "Correct the site and contact" in client.get(connection.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.status_code == 200
    # Only the owner's technical contacts are offered.
    assert set(page.context["form"].fields["technical_contact"].queryset) == {world["member_a"], contact_a}
    response = client.post(
        url,
        {
            "site_address": "Nyvegen 2",
            "site_municipality": world.municipality_a.pk,
            "technical_contact": contact_a.pk,
            # Contractual values are not on this form: a smuggled one is ignored.
            "bandwidth_mbps": "10000",
        },
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert (connection.site_address, connection.technical_contact, connection.bandwidth_mbps) == (
        "Nyvegen 2",
        contact_a,
        100,
    )
    change = ConnectionChange.objects.get(connection=connection)
    assert change.kind == "member_corrected" and change.actor == world["member_a"]
    assert ("site address", "Gamlevegen 1", "Nyvegen 2") in change.changed_fields()


def test_only_the_owners_admins_and_technical_contacts_correct_a_connection(
    world: Any, login: Any, make_connection: Any
) -> None:
    own = make_connection(world.org_a)
    shared = make_connection(world.org_b, site_municipality=world.municipality_b)
    shared.shared_with.add(world.org_a)
    for name in ("connections:connection_member_edit", "connections:change_request_create"):
        assert login(world["admin_a"]).get(reverse(name, args=[own.pk])).status_code == 200
        # A member sharing the line sees it but does not change the owner's line.
        assert login(world["admin_a"]).get(reverse(name, args=[shared.pk])).status_code == 403
        assert login(world["admin_b"]).get(reverse(name, args=[own.pk])).status_code == 404
        assert login(world["coordinator_a"]).get(reverse(name, args=[own.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.connection_member_correct(actor=world["admin_b"], connection=own, values={"site_address": "x"})
    with pytest.raises(ValueError):
        services.connection_member_correct(actor=world["admin_a"], connection=own, values={"bandwidth_mbps": 1})


def test_the_technical_contact_must_hold_that_role_for_the_owner(world: Any, make_connection: Any) -> None:
    connection = make_connection(world.org_a)
    with pytest.raises(ValidationError):
        services.connection_member_correct(
            actor=world["admin_a"], connection=connection, values={"technical_contact": world["admin_b"]}
        )
    assert not ConnectionChange.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_change_request_is_accepted_and_the_connection_changes_with_history(
    world: Any, login: Any, make_connection: Any, django_assert_max_num_queries: Any
) -> None:
    connection = make_connection(world.org_a)
    url = reverse("connections:change_request_create", args=[connection.pk])
    client = login(world["admin_a"])
    form = {
        "connection_type": connection.connection_type.pk,
        "provider": "",
        "bandwidth_mbps": "100",
        "redundancy": "single",
        "uptime_target": "99.9",
        "message": "",
    }
    unchanged = client.post(url, form)  # 99.9 is the 99.900 the line has: nothing to ask for
    assert unchanged.status_code == 400 and not ChangeRequest.objects.exists()
    response = client.post(url, {**form, "bandwidth_mbps": "1000", "redundancy": "dual", "message": "Ny legevakt."})
    assert response.status_code == 302, response.context["form"].errors
    request = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert request.wanted == {"bandwidth_mbps": 1000, "redundancy": "dual"}
    assert request.before == {"bandwidth_mbps": 100, "redundancy": "single"}
    assert {m.to for m in OutboundEmail.objects.filter(key__startswith="connection-change-request:")} == {
        "kundesenter@nhn.no",
        world["admin_a"].email,
    }
    assert client.post(url, {**form, "bandwidth_mbps": "500"}).status_code == 400  # one open request per line
    # The member reads the request but cannot decide it.
    page = client.get(request.get_absolute_url())
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(request.get_absolute_url(), {"decision": "accept"}).status_code == 403

    staff = login(world["customer_centre"])
    with django_assert_max_num_queries(12):
        queue = staff.get(reverse("connections:request_queue"))
    assert list(queue.context["changes"]) == [request]
    decided = staff.post(request.get_absolute_url(), {"decision": "accept", "answer": ""})
    assert decided.status_code == 302
    connection.refresh_from_db()
    request.refresh_from_db()
    assert (connection.bandwidth_mbps, connection.redundancy) == (1000, "dual")
    assert request.status == "accepted" and request.handled_by == world["customer_centre"]
    change = ConnectionChange.objects.get(connection=connection, kind="request_accepted")
    assert change.actor == world["customer_centre"]
    assert AuditEvent.objects.filter(action="connection.change_request_accepted", object_id=str(request.pk)).exists()
    told = OutboundEmail.objects.get(key__startswith="connection-change-request-decided:")
    assert told.to == world["admin_a"].email and "godtatt" in told.subject  # in Bokmål, the organisation's form
    assert list(staff.get(reverse("connections:request_queue")).context["changes"]) == []
    # Handled once: a second decision is refused and changes nothing.
    with pytest.raises(ValidationError):
        services.change_request_decide(actor=world["customer_centre"], request=request, accept=False, answer="x")


@time_machine.travel(NOW, tick=False)
def test_a_change_request_of_the_type_is_applied_by_its_code(world: Any, make_connection: Any) -> None:
    connection = make_connection(world.org_a)
    shared = ConnectionType.objects.get(code="shared")
    request = services.change_request_submit(
        actor=world["member_a"],
        connection=connection,
        wanted={
            "connection_type": shared,
            "provider": "Telenor",
            "bandwidth_mbps": 100,
            "redundancy": "single",
            "uptime_target": connection.uptime_target,
        },
        message="",
    )
    assert request.wanted == {"connection_type": "shared", "provider": "Telenor"}
    services.change_request_decide(actor=world["membership_manager"], request=request, accept=True, answer="")
    connection.refresh_from_db()
    assert (connection.connection_type, connection.provider) == (shared, "Telenor")


@time_machine.travel(NOW, tick=False)
def test_a_rejection_needs_a_reason_and_the_member_is_told(world: Any, login: Any, make_connection: Any) -> None:
    connection = make_connection(world.org_a)
    request = services.change_request_submit(
        actor=world["member_a"],
        connection=connection,
        wanted={"bandwidth_mbps": 5000},
        message="",
    )
    staff = login(world["customer_centre"])
    refused = staff.post(request.get_absolute_url(), {"decision": "reject", "answer": ""})
    assert refused.status_code == 400
    request.refresh_from_db()
    assert request.status == "submitted"
    staff.post(request.get_absolute_url(), {"decision": "reject", "answer": "Linja tåler ikkje meir."})
    request.refresh_from_db()
    connection.refresh_from_db()
    assert request.status == "rejected" and request.answer == "Linja tåler ikkje meir."
    assert connection.bandwidth_mbps == 100
    told = OutboundEmail.objects.get(key__startswith="connection-change-request-decided:")
    assert told.to == world["member_a"].email and "Linja tåler ikkje meir." in told.body_text
    page = login(world["member_a"]).get(request.get_absolute_url()).content.decode()
    assert "Linja tåler ikkje meir." in page


@time_machine.travel(NOW, tick=False)
def test_staff_accept_or_reject_a_termination_request_as_audit_events(
    world: Any, login: Any, make_connection: Any
) -> None:
    first = make_connection(world.org_a)
    second = make_connection(world.org_a, site_address="Sjukeheimen")
    kwargs = {"wanted_end": dt.date(2025, 12, 31), "reason": "Sky-EPJ.", "confirmed": True}
    one = services.termination_request_submit(
        actor=world["admin_a"], organisation=world.org_a, connection=first, **kwargs
    )
    two = services.termination_request_submit(
        actor=world["admin_a"], organisation=world.org_a, connection=second, **kwargs
    )
    assert login(world["member_a"]).get(one.get_absolute_url()).status_code == 200
    assert login(world["admin_b"]).get(one.get_absolute_url()).status_code == 404
    assert login(world["admin_a"]).post(one.get_absolute_url(), {"decision": "accept"}).status_code == 403
    staff = login(world["customer_centre"])
    assert set(staff.get(reverse("connections:request_queue")).context["terminations"]) == {one, two}
    assert staff.post(one.get_absolute_url(), {"decision": "accept", "answer": ""}).status_code == 302
    assert staff.post(two.get_absolute_url(), {"decision": "reject", "answer": "Avtala krev 6 md."}).status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("accepted", "rejected")
    accepted = AuditEvent.objects.get(action="connection.termination_accepted", object_id=str(one.pk))
    assert accepted.actor == world["customer_centre"] and accepted.organisation_id == world.org_a.pk
    rejected = AuditEvent.objects.get(action="connection.termination_rejected", object_id=str(two.pk))
    assert rejected.reason == "Avtala krev 6 md."
    assert OutboundEmail.objects.filter(key__startswith="connection-termination-decided:").count() == 2
    # The handled requests leave the queue; "show all" still lists them.
    assert list(staff.get(reverse("connections:request_queue")).context["terminations"]) == []
    assert len(staff.get(reverse("connections:request_queue"), {"show": "all"}).context["terminations"]) == 2
    assert TerminationRequest.objects.filter(status="submitted").count() == 0
    with pytest.raises(PermissionDenied):
        services.termination_decide(actor=world["admin_a"], request=one, accept=False, answer="x")

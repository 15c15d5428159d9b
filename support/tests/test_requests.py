"""Support requests: a member asks, an agent answers, the member replies; each side is told by e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from core.models import OutboundEmail
from support.choices import RequestStatus
from support.models import SupportRequest
from support.services import support_request_create


def ask(
    world: Any, user: str = "member_a", org: Any = None, subject: str = "Tilgang til kjernejournal"
) -> SupportRequest:
    return support_request_create(
        actor=world[user], organisation=org or world.org_a, subject=subject, category="access", body="Hvordan?"
    )


def test_the_support_request_flow(world: Any, login: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = login(world["member_a"])
    response = client.post(
        reverse("support:request_create"),
        {
            "organisation": world.org_a.pk,
            "category": "connection",
            "subject": "Ny VPN-tilkobling",
            "body": "Vi trenger hjelp med ny tilkobling til Helsenettet.",
        },
    )
    request = SupportRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert request.status == RequestStatus.OPEN and request.created_by == world["member_a"]
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {"member.a@example.no", "kundesenter@nhn.no"}

    agent = login(world["customer_centre"])
    agent.post(request.get_absolute_url(), {"body": "Vi har bestilt tilkoblingen."})
    request.refresh_from_db()
    assert request.status == RequestStatus.WAITING and request.assigned_to == world["customer_centre"]
    assert OutboundEmail.objects.filter(to="member.a@example.no", subject__contains="#").count() == 2

    member = login(world["member_a"])
    member.post(request.get_absolute_url(), {"body": "Takk! Når kommer den?"})
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert OutboundEmail.objects.filter(to="customer_centre@nhn.example.no").count() == 1
    assert [m.from_staff for m in request.messages.all()] == [False, True, False]

    agent = login(world["customer_centre"])
    agent.post(reverse("support:request_manage", args=[request.pk]), {"status": "resolved", "assigned_to": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.RESOLVED and request.assigned_to is None
    assert OutboundEmail.objects.filter(to="member.a@example.no").count() == 3


def test_an_empty_request_is_refused_and_nothing_stored(world: Any, login: Any) -> None:
    response = login(world["member_a"]).post(
        reverse("support:request_create"),
        {"organisation": world.org_a.pk, "category": "other", "subject": "", "body": ""},
    )
    assert response.status_code == 400 and not SupportRequest.objects.exists()


def test_a_member_cannot_ask_for_another_organisation(world: Any, login: Any) -> None:
    response = login(world["member_a"]).post(
        reverse("support:request_create"),
        {"organisation": world.org_b.pk, "category": "other", "subject": "X", "body": "Y"},
    )
    assert response.status_code == 400 and not SupportRequest.objects.exists()


def test_members_see_only_their_organisations_requests(world: Any, login: Any) -> None:
    own, other = ask(world), ask(world, "admin_b", world.org_b, "Faktura")
    client = login(world["member_a"])
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    listing = client.get(reverse("support:request_list")).content.decode()
    assert "Tilgang til kjernejournal" in listing and "Faktura" not in listing
    # A coordinator follows the municipality but does not read its support requests.
    assert login(world["coordinator_a"]).get(own.get_absolute_url()).status_code == 403


def test_members_cannot_manage_or_reach_the_queue(world: Any, login: Any) -> None:
    request = ask(world)
    client = login(world["admin_a"])
    assert client.get(reverse("support:queue")).status_code == 403
    response = client.post(reverse("support:request_manage", args=[request.pk]), {"status": "closed"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


def test_a_closed_request_takes_no_messages(world: Any, login: Any) -> None:
    request = ask(world)
    SupportRequest.objects.filter(pk=request.pk).update(status=RequestStatus.CLOSED)
    response = login(world["member_a"]).post(request.get_absolute_url(), {"body": "Hei igjen"})
    assert response.status_code == 400 and request.messages.count() == 1


def test_the_queue_filters(world: Any, login: Any) -> None:
    a, b = ask(world), ask(world, "admin_b", world.org_b, "Faktura for 2025")
    SupportRequest.objects.filter(pk=b.pk).update(status=RequestStatus.RESOLVED, assigned_to=world["customer_centre"])
    client = login(world["customer_centre"])
    url = reverse("support:queue")

    def subjects(**params: str) -> str:
        return client.get(url, params).content.decode()

    # The whole subjects: a word alone can be a label on the page too (the category "Fakturaer og priser").
    access, invoice = a.subject, b.subject
    assert access in subjects() and invoice not in subjects()  # unfinished only by default
    assert invoice in subjects(status="all")
    assert invoice in subjects(status="all", assigned="me") and access not in subjects(status="all", assigned="me")
    assert access in subjects(status="all", assigned="none")
    assert invoice in subjects(status="all", q="bergen") and access not in subjects(status="all", q="bergen")
    assert access in subjects(q=f"#{a.pk}")


def test_the_queue_runs_a_bounded_number_of_queries(world: Any, login: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(15):
        ask(world, subject=f"Spørsmål {i}")
    client = login(world["customer_centre"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("support:queue")).status_code == 200
    member = login(world["member_a"])
    with django_assert_max_num_queries(14):
        assert member.get(reverse("support:request_list")).status_code == 200


@pytest.mark.parametrize("persona", ["customer_centre", "system_admin"])
def test_agents_can_be_assigned_but_members_cannot(world: Any, login: Any, persona: str) -> None:
    request = ask(world)
    client = login(world[persona])
    client.post(
        reverse("support:request_manage", args=[request.pk]),
        {"status": "in_progress", "assigned_to": world["member_a"].pk},
    )
    request.refresh_from_db()
    assert request.assigned_to is None and request.status == RequestStatus.OPEN


def test_the_organisation_page_shows_its_requests(world: Any, login: Any) -> None:
    ask(world)
    url = reverse("organisations:organisation_detail", args=[world.org_a.pk])
    assert "Tilgang til kjernejournal" in login(world["customer_centre"]).get(url).content.decode()
    assert "Tilgang til kjernejournal" in login(world["member_a"]).get(url).content.decode()
    # A coordinator sees the municipality, but not its support requests.
    assert "Tilgang til kjernejournal" not in login(world["coordinator_a"]).get(url).content.decode()


def test_the_request_page_runs_a_bounded_number_of_queries(
    world: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    from support.services import support_message_add

    request = ask(world)
    for i in range(10):
        support_message_add(
            actor=world["customer_centre" if i % 2 else "member_a"], request=request, body=f"Melding {i}"
        )
    client = login(world["customer_centre"])
    with django_assert_max_num_queries(12):
        assert client.get(request.get_absolute_url()).status_code == 200

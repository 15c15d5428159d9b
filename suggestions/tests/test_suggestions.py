"""Topic suggestions: suggest, support once (database constraint), staff answer and the suggester is told."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.models import OutboundEmail
from events.models import Event
from suggestions.models import Suggestion, SuggestionSupport
from suggestions.services import suggestion_answer, suggestion_support


@pytest.fixture
def roadmap(world: Any) -> Suggestion:
    return Suggestion.objects.create(
        title="Veikart for nasjonale e-helseløsninger",
        category="roadmap",
        created_by=world["admin_a"],
        organisation=world.org_a,
    )


def test_a_member_suggests_a_topic(world: Any, login: Any) -> None:
    client = login(world["member_a"])
    response = client.post(
        reverse("suggestions:suggestion_list"),
        {"category": "price_model", "title": "Prismodell og forvaltning", "description": "Hva betaler kommunen for?"},
    )
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and suggestion.created_by == world["member_a"]
    assert suggestion.organisation == world.org_a and suggestion.status == "new"
    empty = client.post(reverse("suggestions:suggestion_list"), {"category": "other", "title": ""})
    assert empty.status_code == 400 and Suggestion.objects.count() == 1


def test_each_person_supports_once(world: Any, login: Any, roadmap: Suggestion) -> None:
    assert suggestion_support(actor=world["member_a"], suggestion=roadmap) is True
    assert suggestion_support(actor=world["member_a"], suggestion=roadmap) is False
    client = login(world["admin_b"])
    client.post(reverse("suggestions:suggestion_support", args=[roadmap.pk]))
    client.post(reverse("suggestions:suggestion_support", args=[roadmap.pk]))
    assert SuggestionSupport.objects.filter(suggestion=roadmap).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        SuggestionSupport.objects.create(suggestion=roadmap, user=world["admin_b"])
    client.post(reverse("suggestions:suggestion_support", args=[roadmap.pk]), {"withdraw": "1"})
    assert SuggestionSupport.objects.filter(suggestion=roadmap).count() == 1


def test_one_cannot_support_ones_own(world: Any, roadmap: Suggestion) -> None:
    with pytest.raises(ValidationError):
        suggestion_support(actor=world["admin_a"], suggestion=roadmap)


def test_staff_answer_with_an_event_and_the_suggester_is_told(world: Any, login: Any, roadmap: Suggestion) -> None:
    start = dt.datetime(2030, 2, 1, 12, 0, tzinfo=dt.UTC)
    event = Event.objects.create(
        title="Veikart 2030",
        kind="webinar",
        description="-",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        online_url="https://teams.example.no/v",
        audience="Alle",
    )
    client = login(world["membership_manager"])
    missing_link = client.post(roadmap.get_absolute_url(), {"status": "answered", "answer": "Se webinaret."})
    assert missing_link.status_code == 400
    roadmap.refresh_from_db()
    assert roadmap.status == "new" and not OutboundEmail.objects.exists()

    client.post(roadmap.get_absolute_url(), {"status": "answered", "answer": "Se webinaret.", "event": event.pk})
    roadmap.refresh_from_db()
    assert roadmap.status == "answered" and roadmap.event == event
    mail = OutboundEmail.objects.get(to="admin.a@example.no")
    assert "Veikart 2030" in mail.body_text


def test_members_cannot_set_the_status(world: Any, login: Any, roadmap: Suggestion) -> None:
    response = login(world["member_a"]).post(roadmap.get_absolute_url(), {"status": "planned"})
    assert response.status_code == 403
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        suggestion_answer(actor=world["member_a"], suggestion=roadmap, status="planned", answer="")


def test_the_list_is_bounded(world: Any, login: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(20):
        Suggestion.objects.create(title=f"Tema {i}", category="other", created_by=world["admin_b"])
    client = login(world["member_a"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("suggestions:suggestion_list"), {"category": "other"})
    assert response.status_code == 200 and "Tema 19" in response.content.decode()

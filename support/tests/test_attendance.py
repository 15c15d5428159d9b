"""Requests for NHN to attend: a member asks, staff answer, both see the status."""

from __future__ import annotations

from typing import Any

import time_machine
from django.urls import reverse

from core.models import OutboundEmail
from support.choices import AttendanceStatus
from support.models import AttendanceRequest


@time_machine.travel("2026-01-10 10:00 +0100", tick=False)
def test_a_member_asks_and_staff_answer(world: Any, login: Any) -> None:
    client = login(world["admin_a"])
    response = client.post(
        reverse("support:attendance_create"),
        {
            "organisation": world.org_a.pk,
            "kind": "gathering",
            "topic": "Fagdag om e-helse i Innlandet",
            "starts_at": "2026-03-12T09:00",
            "place": "Ringsaker rådhus",
            "audience_size": "80",
            "details": "",
        },
    )
    item = AttendanceRequest.objects.get()
    assert response.status_code == 302 and item.status == AttendanceStatus.NEW
    assert OutboundEmail.objects.filter(to="kundesenter@nhn.no").exists()

    staff = login(world["membership_manager"])
    assert staff.get(reverse("support:attendance_list")).content.decode().count("Fagdag om e-helse") == 1
    staff.post(item.get_absolute_url(), {"status": "accepted", "answer": "Vi kommer gjerne, to fra NHN."})
    item.refresh_from_db()
    assert item.status == AttendanceStatus.ACCEPTED and item.answered_by == world["membership_manager"]
    assert OutboundEmail.objects.filter(to="admin.a@example.no").exists()
    page = login(world["member_a"]).get(item.get_absolute_url()).content.decode()
    assert "Vi kommer gjerne" in page


@time_machine.travel("2026-01-10 10:00 +0100", tick=False)
def test_a_request_in_the_past_is_refused(world: Any, login: Any) -> None:
    response = login(world["admin_a"]).post(
        reverse("support:attendance_create"),
        {
            "organisation": world.org_a.pk,
            "kind": "webinar",
            "topic": "X",
            "starts_at": "2025-12-01T09:00",
            "place": "Teams",
            "audience_size": "10",
        },
    )
    assert response.status_code == 400 and not AttendanceRequest.objects.exists()


def test_members_cannot_answer_and_outsiders_get_404(world: Any, login: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    item = AttendanceRequest.objects.create(
        organisation=world.org_a,
        created_by=world["admin_a"],
        kind="meeting",
        topic="Møte",
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Brumunddal",
        audience_size=5,
    )
    member = login(world["member_a"])
    assert member.post(item.get_absolute_url(), {"status": "accepted", "answer": "Ja"}).status_code == 403
    assert login(world["admin_b"]).get(item.get_absolute_url()).status_code == 404
    item.refresh_from_db()
    assert item.status == AttendanceStatus.NEW

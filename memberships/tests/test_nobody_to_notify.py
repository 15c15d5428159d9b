"""Issue 19: an invitation or reminder is recorded only when a message was queued for someone; an
organisation nobody can be reached at is listed as such, with what to do, and has no "remind" button."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from memberships import rounds
from memberships.models import ReminderLog
from organisations.tests.factories import MunicipalityFactory


def test_nothing_is_recorded_for_an_organisation_nobody_can_be_reached_at(world: Any, terms: Any) -> None:
    silent = MunicipalityFactory(name="Stillevik").organisation
    assert not silent.email and not silent.roles.exists()
    report = rounds.send_invitations(terms.published)
    assert not ReminderLog.objects.filter(organisation=silent).exists()
    assert any("Stillevik" in reason for reason in report.skipped)
    # org A has an administrator: its invitation is recorded.
    assert ReminderLog.objects.filter(organisation=world.org_a, step="invitation").exists()
    assert report.invited == ReminderLog.objects.filter(step="invitation").count()


def test_the_missing_list_says_nobody_to_notify_and_offers_no_reminder(
    world: Any, terms: Any, login: Any, english: Any
) -> None:
    silent = MunicipalityFactory(name="Stillevik").organisation
    response = login(world["membership_manager"]).get(
        reverse("dashboards:missing"), {"version": terms.published.pk, "who": "municipalities"}
    )
    text = response.content.decode()
    assert response.status_code == 200 and "Stillevik" in text
    assert "Nobody to notify" in text and "add an administrator or signatory" in text
    assert f"Remind {silent.name} now" not in text and "Remind Ringsaker now" in text


def test_the_draft_says_how_many_organisations_publishing_invites(
    world: Any, terms: Any, login: Any, english: Any
) -> None:
    MunicipalityFactory(name="Stillevik")
    text = login(world["membership_manager"]).get(terms.draft.get_absolute_url()).content.decode()
    # The draft T2 is for municipalities: Ringsaker, Bergen and Stillevik; only Ringsaker and Bergen have people.
    assert "Publishing invites 3 organisations." in text
    assert "1 of them has nobody to notify" in text

"""Issue 19: a merger or change of owner dated ahead is scheduled; ``apply_due_mergers`` (daily) carries it
out on its effective date; until then it can be changed or withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from enhetsregisteret import services
from enhetsregisteret.models import Merger
from memberships.choices import MembershipState, TerminationReason
from memberships.models import Membership
from organisations.tests.factories import OrganisationFactory

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
EFFECTIVE = dt.date(2026, 3, 16)


@pytest.fixture
def change(world: Any) -> dict[str, Any]:
    old = world.enterprise_b
    Membership.objects.create(organisation=old, state=MembershipState.ACTIVE)
    new = OrganisationFactory(name="Bergen Helse AS", address_municipality=world.municipality_b)
    moved: list[tuple[int, int]] = []

    def receiver(sender: Any, merger: Any, old: Any, new: Any, actor: Any, **kwargs: Any) -> None:
        moved.append((old.pk, new.pk))

    services.organisation_merged.connect(receiver)
    yield {"old": old, "new": new, "moved": moved}
    services.organisation_merged.disconnect(receiver)


def _post_merger(client: Any, old: Any, new: Any, date: dt.date) -> Any:
    return client.post(
        reverse("enhetsregisteret:merger_create"),
        {
            "old_org_number": old.org_number,
            "new_org_number": new.org_number,
            "kind": "change_of_owner",
            "effective_date": date.isoformat(),
            "note": "Kjøpt",
        },
        follow=True,
    )


def test_a_change_dated_ahead_takes_effect_on_its_date(
    world: Any, terms: Any, login: Any, manage: Any, change: dict[str, Any]
) -> None:
    old, new = change["old"], change["new"]
    with time_machine.travel(TODAY, tick=False):
        response = _post_merger(login(world["membership_manager"]), old, new, EFFECTIVE)
        assert "Scheduled" in " ".join(str(m) for m in response.context["messages"])
        assert Membership.objects.get(organisation=old).state == MembershipState.ACTIVE
        assert not Membership.objects.filter(organisation=new).exists()
        assert change["moved"] == [] and Merger.objects.get().is_pending
    with time_machine.travel(dt.datetime(2026, 3, 15, 22, 0, tzinfo=dt.UTC), tick=False):  # 23:00 the day before
        code, out, _err = manage("apply_due_mergers")
        assert code == 0 and "0 merger(s)" in out
        assert Membership.objects.get(organisation=old).state == MembershipState.ACTIVE
    with time_machine.travel(dt.datetime(2026, 3, 16, 1, 0, tzinfo=dt.UTC), tick=False):
        code, out, _err = manage("apply_due_mergers")
        assert code == 0 and "1 merger(s)" in out
        membership = Membership.objects.get(organisation=old)
        assert membership.state == MembershipState.TERMINATED
        assert membership.termination_reason == TerminationReason.MERGER
        assert Membership.objects.get(organisation=new).state == MembershipState.INVITED
        assert change["moved"] == [(old.pk, new.pk)]
        assert Merger.objects.get().applied_at is not None
        code, out, _err = manage("apply_due_mergers")  # a second run does nothing
        assert "0 merger(s)" in out and change["moved"] == [(old.pk, new.pk)]
    assert AuditEvent.objects.filter(action="register.merger_applied").count() == 1


def test_a_scheduled_change_can_be_changed_and_withdrawn(
    world: Any, terms: Any, login: Any, change: dict[str, Any]
) -> None:
    old, new = change["old"], change["new"]
    other = OrganisationFactory(name="Vestland Helse AS")
    with time_machine.travel(TODAY, tick=False):
        client = login(world["membership_manager"])
        _post_merger(client, old, new, EFFECTIVE)
        merger = Merger.objects.get()
        response = client.get(reverse("enhetsregisteret:merger_edit", args=[merger.pk]))
        assert response.status_code == 200
        response = client.post(
            reverse("enhetsregisteret:merger_edit", args=[merger.pk]),
            {
                "new_org_number": other.org_number,
                "kind": "change_of_owner",
                "effective_date": "2026-04-01",
                "note": "Ny kjøper",
            },
        )
        assert response.status_code == 302
        merger.refresh_from_db()
        assert (merger.new_organisation, merger.effective_date, merger.old_organisation) == (
            other,
            dt.date(2026, 4, 1),
            old,
        )
        response = client.post(reverse("enhetsregisteret:merger_withdraw", args=[merger.pk]))
        assert response.status_code == 302
    with time_machine.travel(dt.datetime(2026, 4, 2, 8, 0, tzinfo=dt.UTC), tick=False):
        assert services.apply_due_mergers() == (0, [])
        assert Membership.objects.get(organisation=old).state == MembershipState.ACTIVE
        assert change["moved"] == []
        # Withdrawn, the old organisation can be recorded again.
        services.record_merger(
            actor=world["membership_manager"], old=old, new=new, kind="change_of_owner", effective_date=EFFECTIVE
        )
        assert Membership.objects.get(organisation=old).state == MembershipState.TERMINATED


def test_a_carried_out_change_can_no_longer_be_changed(
    world: Any, terms: Any, login: Any, change: dict[str, Any]
) -> None:
    merger, _report = services.record_merger(
        actor=world["membership_manager"],
        old=change["old"],
        new=change["new"],
        kind="change_of_owner",
        effective_date=timezone.localdate(),
    )
    assert merger.applied_at is not None
    client = login(world["membership_manager"])
    client.post(reverse("enhetsregisteret:merger_withdraw", args=[merger.pk]))
    merger.refresh_from_db()
    assert merger.withdrawn_at is None
    response = client.get(reverse("enhetsregisteret:merger_edit", args=[merger.pk]))
    assert response.status_code == 302

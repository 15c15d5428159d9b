"""Delegating signing authority: a signatory in their own right delegates to a registered person until a date at
most a year ahead, and may revoke it at once. Both are audited. Messages are asserted in Norwegian.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.access import ACCESS_ACTIONS
from core.models import AuditEvent
from memberships import services
from memberships.tests.conftest import messages_of
from organisations.models import OrganisationRole
from organisations.tests.factories import UserFactory

OSLO = ZoneInfo("Europe/Oslo")
TODAY = dt.date(2026, 6, 10)  # a year ahead, 10 June 2027, is 365 days away (no 29 February between)
RANGE_MESSAGE = "Velg en dato fra og med i dag og høyst ett år fram i tid."


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 10, 14, 0, tzinfo=OSLO), tick=False) as traveller:
        yield traveller


@pytest.fixture
def nora(world: Any) -> Any:
    """A registered person with no role anywhere."""
    return UserFactory(email="nora.ny@example.no", full_name="Nora Ny")


def delegate_url(org: Any) -> str:
    return reverse("memberships:delegation_create", args=[org.pk])


def revoke_url(org: Any, grant: Any) -> str:
    return reverse("memberships:delegation_revoke", args=[org.pk, grant.pk])


def delegated(world: Any, user: Any, until: dt.date = dt.date(2026, 9, 30)) -> OrganisationRole:
    return services.signing_delegate(
        actor=world["admin_a"], organisation=world.org_a, user=user, until=until, confirm_outsider=True
    )


def signatory_grants(user: Any) -> list[OrganisationRole]:
    return list(OrganisationRole.objects.filter(user=user, role="signatory"))


# --- delegating ------------------------------------------------------------------------------------------------------


def test_a_signatory_delegates_to_a_registered_person_until_a_date_and_it_is_audited(
    world: Any, login: Any, nora: Any
) -> None:
    client = login(world["admin_a"])
    assert client.get(delegate_url(world.org_a)).status_code == 200

    asked = client.post(delegate_url(world.org_a), {"email": " Nora.Ny@Example.no ", "until": "2026-09-30"})
    # Nora holds no role in Ringsaker: the signatory must confirm that fact before anything is stored.
    assert asked.status_code == 400
    assert "Nora Ny har ingen rolle i Ringsaker" in asked.content.decode()
    assert signatory_grants(nora) == [] and not AuditEvent.objects.exists()

    response = client.post(
        delegate_url(world.org_a),
        {"email": " Nora.Ny@Example.no ", "until": "2026-09-30", "confirm_outsider": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == world.org_a.get_absolute_url()
    [grant] = signatory_grants(nora)
    assert (grant.organisation, grant.signatory_basis, grant.valid_until, grant.granted_by) == (
        world.org_a,
        "delegated",
        dt.date(2026, 9, 30),
        world["admin_a"],
    )
    authority = services.signing_authority(nora, world.org_a)
    assert authority is not None and authority.basis == "delegated"
    assert authority.text == "Delegert av Anne Admin til og med 30.09.2026"
    event = AuditEvent.objects.get(action="delegation.granted")
    assert (event.actor, event.object_type, event.object_id, event.organisation_id) == (
        world["admin_a"],
        "organisations.organisationrole",
        str(grant.pk),
        world.org_a.pk,
    )
    assert event.after == {
        "user": "nora.ny@example.no",
        "valid_until": "2026-09-30",
        "granted_by": world["admin_a"].pk,
        "agreements": ["membership"],
        "outsider": True,
    }
    assert messages_of(client.get(response["Location"])) == ["Nora Ny kan signere for Ringsaker til og med 30.09.2026."]


@pytest.mark.parametrize(
    "until",
    [TODAY, TODAY + dt.timedelta(days=1), dt.date(2027, 6, 10)],
    ids=["today", "tomorrow", "exactly_one_year"],
)
def test_a_delegation_may_end_from_today_up_to_exactly_one_year_ahead(world: Any, nora: Any, until: dt.date) -> None:
    grant = delegated(world, nora, until)

    assert grant.valid_until == until


@pytest.mark.parametrize(
    "until",
    [TODAY - dt.timedelta(days=1), dt.date(2020, 1, 1), dt.date(2027, 6, 11), dt.date(2030, 1, 1)],
    ids=["yesterday", "years_ago", "one_year_and_a_day", "years_ahead"],
)
def test_a_delegation_in_the_past_or_more_than_a_year_ahead_is_refused_through_the_view(
    world: Any, login: Any, nora: Any, until: dt.date
) -> None:
    response = login(world["admin_a"]).post(
        delegate_url(world.org_a), {"email": "nora.ny@example.no", "until": until.isoformat()}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"until": [RANGE_MESSAGE]}
    assert signatory_grants(nora) == []
    assert not AuditEvent.objects.exists()


def test_a_year_ahead_counts_the_29th_of_february_when_there_is_one(world: Any, nora: Any, frozen_clock: Any) -> None:
    frozen_clock.move_to(dt.datetime(2027, 3, 10, 12, 0, tzinfo=OSLO))  # 10 March 2028 is 366 days away

    assert delegated(world, nora, dt.date(2028, 3, 10)).valid_until == dt.date(2028, 3, 10)
    with pytest.raises(ValidationError):
        delegated(world, nora, dt.date(2028, 3, 11))


@pytest.mark.parametrize(
    ("email", "field_error"),
    [
        ("ukjent@example.no", "Ingen aktiv bruker har denne e-postadressen"),
        ("gone.a@example.no", "Ingen aktiv bruker har denne e-postadressen"),  # deactivated_a
        ("admin.a@example.no", "Du kan ikke delegere til deg selv."),
        ("not-an-address", "Oppgi en gyldig e-postadresse"),
    ],
)
def test_a_delegation_to_someone_who_cannot_receive_it_is_refused(
    world: Any, login: Any, email: str, field_error: str
) -> None:
    grants = OrganisationRole.objects.count()

    response = login(world["admin_a"]).post(delegate_url(world.org_a), {"email": email, "until": "2026-07-01"})

    assert response.status_code == 400
    assert field_error in response.context["form"].errors["email"][0]
    assert OrganisationRole.objects.count() == grants
    assert not AuditEvent.objects.exists()


def test_a_delegate_cannot_delegate_further(world: Any, login: Any, nora: Any) -> None:
    delegated(world, nora)
    third = UserFactory(email="tredje@example.no")
    client = login(nora)
    events = AuditEvent.objects.count()

    # A delegation makes nothing of the organisation visible: its delegation page does not exist for her.
    assert client.get(delegate_url(world.org_a)).status_code == 404
    response = client.post(delegate_url(world.org_a), {"email": "tredje@example.no", "until": "2026-07-01"})

    assert response.status_code == 404
    assert signatory_grants(third) == []
    assert AuditEvent.objects.count() == events
    with pytest.raises(PermissionDenied):
        services.signing_delegate(actor=nora, organisation=world.org_a, user=third, until=dt.date(2026, 7, 1))


@pytest.mark.parametrize(("persona", "status"), [("member_a", 403), ("admin_b", 404), ("membership_manager", 403)])
def test_only_a_signatory_of_the_organisation_can_delegate(
    world: Any, login: Any, nora: Any, persona: str, status: int
) -> None:
    response = login(world[persona]).post(
        delegate_url(world.org_a), {"email": "nora.ny@example.no", "until": "2026-07-01"}
    )

    assert response.status_code == status
    assert signatory_grants(nora) == []


def test_delegating_again_to_the_same_person_moves_the_end_date_and_is_audited_again(world: Any, nora: Any) -> None:
    delegated(world, nora, dt.date(2026, 7, 1))

    delegated(world, nora, dt.date(2026, 12, 1))

    [grant] = signatory_grants(nora)
    assert grant.valid_until == dt.date(2026, 12, 1)
    events = list(AuditEvent.objects.filter(action="delegation.granted").order_by("id"))
    assert [e.after["valid_until"] for e in events] == ["2026-07-01", "2026-12-01"]
    assert events[1].before == {
        "valid_until": "2026-07-01",
        "granted_by": world["admin_a"].pk,
        "agreements": ["membership"],
    }


# --- revoking --------------------------------------------------------------------------------------------------------


def test_the_delegator_revokes_a_delegation_the_role_is_gone_and_it_is_audited(
    world: Any, login: Any, nora: Any
) -> None:
    grant = delegated(world, nora)
    client = login(world["admin_a"])

    response = client.post(revoke_url(world.org_a, grant))

    assert response.status_code == 302
    assert response["Location"] == world.org_a.get_absolute_url()
    assert signatory_grants(nora) == []
    assert services.signing_authority(nora, world.org_a) is None
    event = AuditEvent.objects.get(action="delegation.revoked")
    assert (event.actor, event.object_id, event.organisation_id) == (world["admin_a"], str(grant.pk), world.org_a.pk)
    assert event.before == {
        "user": "nora.ny@example.no",
        "valid_until": "2026-09-30",
        "granted_by": world["admin_a"].pk,
    }
    assert messages_of(client.get(response["Location"])) == ["Delegeringen til Nora Ny er trukket tilbake."]


def test_nhn_staff_who_manage_signatories_may_revoke_a_delegation(world: Any, login: Any, nora: Any) -> None:
    grant = delegated(world, nora)

    response = login(world["membership_manager"]).post(revoke_url(world.org_a, grant))

    assert response.status_code == 302
    assert signatory_grants(nora) == []
    assert AuditEvent.objects.get(action="delegation.revoked").actor == world["membership_manager"]


@pytest.mark.parametrize("persona", ["member_a", "coordinator_a", "customer_centre", "delegate_herself"])
def test_someone_without_authority_of_their_own_cannot_revoke_a_delegation(
    world: Any, login: Any, nora: Any, persona: str
) -> None:
    grant = delegated(world, nora)
    events = AuditEvent.objects.count()

    response = login(nora if persona == "delegate_herself" else world[persona]).post(revoke_url(world.org_a, grant))

    # The delegate sees nothing of the organisation, not even her own delegation's page: 404.
    assert response.status_code == (404 if persona == "delegate_herself" else 403)
    assert signatory_grants(nora) == [grant]
    assert AuditEvent.objects.count() == events


def test_another_organisations_administrator_gets_404_and_the_delegation_stays(
    world: Any, login: Any, nora: Any
) -> None:
    grant = delegated(world, nora)
    client = login(world["admin_b"])

    assert client.post(revoke_url(world.org_a, grant)).status_code == 404
    assert client.post(revoke_url(world.org_b, grant)).status_code == 404  # B's address, A's delegation
    assert signatory_grants(nora) == [grant]
    assert not AuditEvent.objects.filter(action="delegation.revoked").exists()


def test_a_signatory_in_their_own_right_cannot_be_removed_through_the_revoke_address(world: Any, login: Any) -> None:
    own = OrganisationRole.objects.get(user=world["admin_a"], role="signatory")
    client = login(world["membership_manager"])

    response = client.post(revoke_url(world.org_a, own))

    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["Bare en delegert fullmakt kan trekkes tilbake her."]
    assert OrganisationRole.objects.filter(pk=own.pk).exists()
    assert not AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).exists(), "only the access log (core.access)"

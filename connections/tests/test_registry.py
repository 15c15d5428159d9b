"""The registry's rules: history on every change, status dates, flags, planning from an order, outages."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from connections import selectors, services
from connections.choices import ChangeKind
from connections.models import Connection, ConnectionChange, ConnectionType, Outage
from core.roles import OrganisationRoleType
from organisations.tests.factories import RoleFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)


def new_connection(world: Any, **values: Any) -> Connection:
    defaults: dict[str, Any] = {
        "organisation": world.org_a,
        "site_address": "Rådhusgata 1",
        "site_municipality": world.municipality_a,
        "connection_type": ConnectionType.objects.get(code="direct"),
        "bandwidth_mbps": 100,
        "status": "planned",
    }
    defaults.update(values)
    return Connection(**defaults)


@time_machine.travel(NOW, tick=False)
def test_every_change_is_kept_with_who_when_before_and_after(world: Any) -> None:
    staff = world["customer_centre"]
    connection = services.connection_save(actor=staff, connection=new_connection(world))
    assert connection.planned_on == dt.date(2025, 6, 15)  # planned today when not given
    connection.status, connection.ordered_on, connection.bandwidth_mbps = "ordered", dt.date(2025, 6, 15), 200
    services.connection_save(actor=world["membership_manager"], connection=connection, shared_with=[world.enterprise_b])
    created, changed = connection.changes.order_by("pk")
    assert (created.kind, created.actor, created.before) == (ChangeKind.CREATED, staff, None)
    assert changed.kind == ChangeKind.UPDATED and changed.actor == world["membership_manager"]
    assert changed.at == NOW
    diff = {name: (before, after) for name, before, after in changed.changed_fields()}
    assert diff == {
        "bandwidth (Mbit/s)": (100, 200),
        "ordered on": (None, "2025-06-15"),
        "shared with": ([], [world.enterprise_b.pk]),
        "status": ("planned", "ordered"),
    }


def test_saving_without_a_change_adds_no_history(world: Any) -> None:
    connection = services.connection_save(actor=world["system_admin"], connection=new_connection(world))
    services.connection_save(actor=world["system_admin"], connection=connection)
    assert connection.changes.count() == 1


def test_only_connection_staff_may_change_the_registry(world: Any) -> None:
    for persona in ("admin_a", "member_a", "cert_analyst", "coordinator_a"):
        with pytest.raises(PermissionDenied):
            services.connection_save(actor=world[persona], connection=new_connection(world))
    assert not Connection.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"status": "active"}, "activated_on"),  # the status needs its date
        ({"status": "ordered", "ordered_on": dt.date(2025, 1, 1), "activated_on": dt.date(2025, 2, 1)}, "activated_on"),
        ({"status": "active", "activated_on": dt.date(2025, 7, 1)}, "activated_on"),  # in the future
        ({"status": "active", "ordered_on": dt.date(2025, 3, 1), "activated_on": dt.date(2025, 2, 1)}, "activated_on"),
        ({"bandwidth_mbps": 0}, "bandwidth_mbps"),
    ],
)
def test_the_status_and_its_dates_must_agree(world: Any, values: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.connection_save(actor=world["system_admin"], connection=new_connection(world, **values))
    assert field in error.value.message_dict
    assert not Connection.objects.exists() and not ConnectionChange.objects.exists()


def test_the_technical_contact_must_be_one_of_the_members(world: Any) -> None:
    actor = world["system_admin"]
    with pytest.raises(ValidationError) as error:
        services.connection_save(actor=actor, connection=new_connection(world, technical_contact=world["admin_b"]))
    assert "technical_contact" in error.value.message_dict
    connection = services.connection_save(
        actor=actor, connection=new_connection(world, technical_contact=world["member_a"])
    )
    assert connection.technical_contact == world["member_a"]
    # A sharing member's technical contact is accepted too.
    RoleFactory(user=world["admin_b"], organisation=world.enterprise_b, role=OrganisationRoleType.TECHNICAL_CONTACT)
    connection.technical_contact = world["admin_b"]
    services.connection_save(actor=actor, connection=connection, shared_with=[world.enterprise_b])


def test_the_owner_cannot_share_its_own_line(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.connection_save(
            actor=world["system_admin"], connection=new_connection(world), shared_with=[world.org_a]
        )


def test_an_active_connection_of_an_organisation_that_is_not_a_member_is_flagged(
    world: Any, member: Any, make_connection: Any
) -> None:
    flagged = make_connection(world.org_a)
    planned = make_connection(world.org_a, status="planned", ordered_on=None, activated_on=None)
    fine = make_connection(world.org_b)
    member(world.org_b, "active")
    assert set(Connection.objects.flagged()) == {flagged}  # A has no membership at all
    member(world.org_a, "must_resign")  # still a member in force
    assert set(Connection.objects.flagged()) == set()
    member(world.org_a, "suspended")
    member(world.org_b, "terminated")
    assert set(Connection.objects.flagged()) == {flagged, fine}
    assert planned not in Connection.objects.flagged()


def test_a_member_without_a_connection_is_flagged(world: Any, member: Any, make_connection: Any) -> None:
    from organisations.models import Organisation

    member(world.org_a)
    member(world.org_b)
    member(world.enterprise_b)
    make_connection(world.org_a)
    shared = make_connection(world.org_b, status="decommissioned", decommissioned_on=dt.date(2024, 1, 1))
    assert set(selectors.members_without_connection(Organisation.objects.all())) == {world.org_b, world.enterprise_b}
    active = make_connection(world.org_a, site_address="Legekontoret")
    active.shared_with.add(world.enterprise_b)  # sharing a line counts as having one
    assert set(selectors.members_without_connection(Organisation.objects.all())) == {world.org_b}
    assert shared.status == "decommissioned"


@time_machine.travel(NOW, tick=False)
def test_an_order_creates_a_planned_connection_once(world: Any) -> None:
    org = world.org_a
    org.business_address, org.postal_code, org.postal_place = "Henrik Ibsens gate 2", "2380", "Brumunddal"
    org.address_municipality = world.municipality_a
    order = SimpleNamespace(pk=17, __str__=lambda self: "Bestilling 17")
    connection = services.plan_connection_for_order(organisation=org, actor=world["customer_centre"], order=order)
    assert connection.status == "planned" and connection.planned_on == dt.date(2025, 6, 15)
    assert connection.site_address == "Henrik Ibsens gate 2, 2380 Brumunddal"
    assert connection.site_municipality == world.municipality_a
    assert connection.connection_type.code == "direct"
    assert connection.changes.get().kind == ChangeKind.PLANNED_FROM_ORDER
    again = services.plan_connection_for_order(organisation=org, actor=world["customer_centre"], order=order)
    assert again.pk == connection.pk and Connection.objects.count() == 1
    without_order = services.plan_connection_for_order(organisation=world.org_b, actor=None)
    assert without_order.status == "planned" and without_order.site_address == world.org_b.name


@time_machine.travel(NOW, tick=False)
def test_an_outage_must_end_after_it_starts(world: Any, make_connection: Any) -> None:
    connection = make_connection()
    start = NOW - dt.timedelta(hours=2)
    with pytest.raises(ValidationError):
        services.outage_save(
            actor=world["system_admin"], outage=Outage(connection=connection, start=start, end=start, cause="Fiber")
        )
    with pytest.raises(ValidationError):  # an open outage cannot start in the future
        services.outage_save(
            actor=world["system_admin"],
            outage=Outage(connection=connection, start=NOW + dt.timedelta(hours=1), cause="x"),
        )
    with pytest.raises(PermissionDenied):
        services.outage_save(actor=world["admin_a"], outage=Outage(connection=connection, start=start, cause="x"))
    outage = services.outage_save(
        actor=world["system_admin"], outage=Outage(connection=connection, start=start, cause="Fiber")
    )
    assert outage.created_by == world["system_admin"] and outage.end is None


def test_status_on_a_date_follows_the_status_dates(world: Any) -> None:
    connection = new_connection(
        world, planned_on=dt.date(2024, 1, 1), ordered_on=dt.date(2024, 3, 1), activated_on=dt.date(2024, 6, 1)
    )
    assert connection.status_on(dt.date(2023, 12, 31)) is None
    assert connection.status_on(dt.date(2024, 1, 1)) == "planned"
    assert connection.status_on(dt.date(2024, 5, 31)) == "ordered"
    assert connection.status_on(dt.date(2025, 1, 1)) == "active"

"""Reads for the connection reports: availability (per connection, for the backbone) and the status of
connections per county and Diginettverk at two dates. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connections import uptime
from connections.choices import ConnectionStatus
from connections.models import Connection, Outage
from organisations.models import Municipality, Organisation


def _periods(connections: list[Connection], outages: list[Outage], now: dt.datetime) -> dict[int, uptime.ServicePeriod]:
    by_connection: dict[int, list[Outage]] = defaultdict(list)
    for outage in outages:
        by_connection[outage.connection_id].append(outage)
    periods = {}
    for connection in connections:
        own = by_connection.get(connection.pk, [])
        periods[connection.pk] = uptime.ServicePeriod(
            in_service=uptime.service_window(connection.activated_on, connection.decommissioned_on, now),
            outages=uptime.close_open(((o.start, o.end) for o in own), now),
            unplanned=uptime.close_open(((o.start, o.end) for o in own if not o.planned), now),
        )
    return periods


def _outages_in_year(year: int) -> Q:
    start, end = uptime.year_bounds(year)
    return Q(start__lt=end) & (Q(end__isnull=True) | Q(end__gt=start))


@dataclass
class ConnectionUptime:
    year: int
    months: list[uptime.Availability]
    total: uptime.Availability
    target: Decimal


def connection_uptime(connection: Connection, year: int, now: dt.datetime | None = None) -> ConnectionUptime:
    now = now or timezone.now()
    outages = list(connection.outages.filter(_outages_in_year(year)))
    period = _periods([connection], outages, now)[connection.pk]
    return ConnectionUptime(
        year, uptime.monthly([period], year, now), uptime.yearly([period], year, now), connection.uptime_target
    )


@dataclass
class BackboneUptime:
    year: int
    months: list[uptime.Availability]
    total: uptime.Availability
    target: Decimal
    connections: list[tuple[Connection, uptime.Availability]]


BACKBONE_TARGET = Decimal("100")


def backbone_uptime(year: int, now: dt.datetime | None = None) -> BackboneUptime:
    """Availability of every connection in service during ``year``, and of all of them together (weighted
    by time in service), against the backbone's 100 % promise."""
    now = now or timezone.now()
    start, end = uptime.year_bounds(year)
    connections = list(
        Connection.objects.filter(activated_on__isnull=False, activated_on__lt=end.date())
        .filter(Q(decommissioned_on__isnull=True) | Q(decommissioned_on__gt=start.date()))
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    outages = list(Outage.objects.filter(_outages_in_year(year), connection__in=[c.pk for c in connections]))
    periods = _periods(connections, outages, now)
    all_periods = list(periods.values())
    per_connection = [(c, uptime.yearly([periods[c.pk]], year, now)) for c in connections]
    return BackboneUptime(
        year,
        uptime.monthly(all_periods, year, now),
        uptime.yearly(all_periods, year, now),
        BACKBONE_TARGET,
        per_connection,
    )


@dataclass
class StatusRow:
    name: str
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    municipalities: int = 0
    connected_before: int = 0
    connected_after: int = 0

    def cells(self) -> list[tuple[str, int, int]]:
        return [(status, self.before.get(status, 0), self.after.get(status, 0)) for status in ConnectionStatus.values]

    @property
    def active_change(self) -> int:
        return self.after.get(ConnectionStatus.ACTIVE, 0) - self.before.get(ConnectionStatus.ACTIVE, 0)


@dataclass
class BeforeAfter:
    before: dt.date
    after: dt.date
    national: StatusRow
    counties: list[StatusRow]
    networks: list[StatusRow]


def before_after(before: dt.date, after: dt.date) -> BeforeAfter:
    """How many connections had each status at the end of each date, nationally, per county and per
    Diginettverk (by the site's municipality), from the connections' status dates."""
    unknown = _("Unknown municipality")
    national = StatusRow(_("Norway"))
    counties: dict[str, StatusRow] = {}
    networks: dict[str, StatusRow] = {}
    connections = Connection.objects.select_related(
        "site_municipality__county", "site_municipality__diginettverk"
    ).only(
        "organisation",
        "planned_on",
        "ordered_on",
        "activated_on",
        "decommissioned_on",
        "site_municipality__county__name",
        "site_municipality__county__number",
        "site_municipality__diginettverk__name",
    )
    connected: dict[str, set[int]] = {"before": set(), "after": set()}
    for connection in connections.prefetch_related(Prefetch("shared_with", queryset=Organisation.objects.only("pk"))):
        users = {connection.organisation_id, *(org.pk for org in connection.shared_with.all())}
        for day, attribute in ((before, "before"), (after, "after")):
            if connection.status_on(day) == ConnectionStatus.ACTIVE:
                connected[attribute] |= users
        municipality = connection.site_municipality
        county_name = municipality.county.name if municipality else unknown
        network_name = municipality.diginettverk.name if municipality else unknown
        rows = [
            national,
            counties.setdefault(county_name, StatusRow(county_name)),
            networks.setdefault(network_name, StatusRow(network_name)),
        ]
        for day, attribute in ((before, "before"), (after, "after")):
            status = connection.status_on(day)
            if status is None:
                continue
            for row in rows:
                counts: dict[str, int] = getattr(row, attribute)
                counts[status] = counts.get(status, 0) + 1
    # Municipalities connected: each municipality (as an organisation) with an active line of its own or shared.
    for org_id, county_name, network_name in Municipality.objects.values_list(
        "organisation_id", "county__name", "diginettverk__name"
    ):
        rows = [
            national,
            counties.setdefault(county_name, StatusRow(county_name)),
            networks.setdefault(network_name, StatusRow(network_name)),
        ]
        for row in rows:
            row.municipalities += 1
            row.connected_before += org_id in connected["before"]
            row.connected_after += org_id in connected["after"]
    return BeforeAfter(
        before,
        after,
        national,
        sorted(counties.values(), key=lambda r: r.name),
        sorted(networks.values(), key=lambda r: r.name),
    )


def status_labels() -> list[tuple[str, Any]]:
    return list(ConnectionStatus.choices)

"""Demo connections: Ringsaker's and Hamar's lines and the demo enterprises', with outages that show
the uptime arithmetic (one across a month boundary, two that overlap, one planned maintenance)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from connections import services
from connections.defaults import ensure_standard_types
from connections.models import Connection, ConnectionType, Outage
from connections.uptime import OSLO

# key, owner, shared with, site, type, provider, Mbit/s, redundancy, target, status, (planned, ordered, active)
CONNECTIONS = [
    ("ringsaker-radhus", "municipality", [], "Henrik Ibsens gate 2, 2380 Brumunddal", "direct", "Telenor Norge",
     1000, "diverse", "99.950", "active", ("2016-03-01", "2016-05-02", "2016-09-01")),
    ("ringsaker-moelv", "municipality", [], "Moelv omsorgssenter, Storgata 40, 2390 Moelv", "municipal_network",
     "Ringsaker kommune IKT", 200, "dual", "99.900", "active", ("2020-10-01", "2021-01-15", "2021-04-06")),
    ("hamar-radhus", "other_municipality", [], "Vangsvegen 51, 2317 Hamar", "municipal_network",
     "Eidsiva Bredbånd", 500, "dual", "99.900", "active", ("2017-09-01", "2017-11-01", "2018-03-01")),
    ("legesenter", "legesenter", ["ola"], "Brumunddal Legesenter, Torggata 8, 2380 Brumunddal", "shared",
     "Telia Norge", 100, "single", "99.500", "active", ("2021-09-01", "2021-10-15", "2022-01-10")),
    ("fysio", "fysio", [], "Hamar Fysioterapi, Grønnegata 24, 2317 Hamar", "cloud_epj",
     "EPJ-leverandørens sky", 50, "single", "99.500", "active", ("2022-11-01", "2023-02-01", "2023-05-01")),
    ("tannlege", "tannlege", [], "Tannlege Nora Vik, Torggata 15, 2317 Hamar", "direct",
     "", 50, "single", "99.900", "planned", ("2025-09-15", None, None)),
]  # fmt: skip

# connection key, (month, day, hour, minute) start, duration in minutes, cause, planned — every year shown
OUTAGES = [
    ("ringsaker-radhus", (1, 31, 22, 0), 330, "Gravearbeid kuttet fiber ved Rudshøgda", False),
    ("ringsaker-radhus", (3, 12, 23, 0), 120, "Planlagt programvareoppdatering i ruter", True),
    ("ringsaker-moelv", (6, 4, 7, 45), 95, "Strømbrudd i Moelv sentrum", False),
    ("hamar-radhus", (4, 3, 8, 0), 120, "Feil på svitsj i kommunens nett", False),
    ("hamar-radhus", (4, 3, 9, 30), 90, "Overbelastning under feilretting", False),
    ("legesenter", (9, 10, 13, 0), 45, "Feil hos linjeleverandør", False),
    ("fysio", (2, 28, 20, 0), 300, "Driftsavbrudd i leverandørens datasenter", False),
    ("fysio", (10, 1, 6, 0), 60, "Planlagt vedlikehold hos leverandøren", True),
]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    manager = users.get("nils@demo.medlemsportal.no")
    ingrid = users.get("ingrid@demo.medlemsportal.no")
    if manager is None:
        return
    ensure_standard_types(ConnectionType)  # the migration made them; a flushed test database has none
    types = {t.code: t for t in ConnectionType.objects.all()}
    made: dict[str, Connection] = {}
    with transaction.atomic():
        for key, owner, shared, site, type_code, provider, mbps, redundancy, target, status, dates in CONNECTIONS:
            existing = Connection.objects.filter(source_reference=f"demo:{key}").first()
            if existing is not None:
                made[key] = existing
                continue
            planned, ordered, active = (_date(d) for d in dates)
            connection = Connection(
                organisation=organisations[owner],
                site_address=site,
                site_municipality=organisations[owner].address_municipality
                or getattr(organisations[owner], "municipality", None),
                connection_type=types[type_code],
                provider=provider,
                bandwidth_mbps=mbps,
                redundancy=redundancy,
                uptime_target=target,
                status=status,
                planned_on=planned,
                ordered_on=ordered,
                activated_on=active,
                technical_contact=ingrid if owner == "municipality" else None,
                source_reference=f"demo:{key}",
            )
            made[key] = services.connection_save(
                actor=manager, connection=connection, shared_with=[organisations[k] for k in shared]
            )
        now = timezone.now()
        for year in (now.year - 1, now.year):
            for key, (month, day, hour, minute), minutes, cause, planned in OUTAGES:
                start = dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)
                end = start + dt.timedelta(minutes=minutes)
                if end > now or key not in made:
                    continue
                Outage.objects.get_or_create(
                    connection=made[key],
                    start=start,
                    defaults={"end": end, "cause": cause, "planned": planned, "created_by": manager},
                )

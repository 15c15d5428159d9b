"""Loading the reference data: counties, municipalities and Diginettverk (2024 structure).

The CSV files in organisations/data/ are copies of ../shared/data (sources and licences in
organisations/data/README.md). Loading is idempotent: a row whose values are already stored is not
written again, so a second run reports zero changes. The whole load is one transaction: a bad row
stops it with the file and line named, and nothing is stored.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from organisations.choices import OrganisationForm, Source
from organisations.models import County, Diginettverk, Municipality, Organisation
from organisations.validators import validate_org_number

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITY_INDUSTRY_CODE = "84.110"  # SN2007: general public administration


class ReferenceDataError(Exception):
    """A row of the reference data is invalid; the message names file and line."""


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def _read(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(columns) - set(reader.fieldnames or [])
            if missing:
                raise ReferenceDataError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
            return [(number, {k: (v or "").strip() for k, v in row.items()}) for number, row in enumerate(reader, 2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReferenceDataError(f"{path.name}: cannot be read: {exc}") from None


def _org_number(raw: str, where: str) -> str | None:
    if not raw:
        return None
    try:
        validate_org_number(raw)
    except ValidationError as exc:
        raise ReferenceDataError(f"{where}: organisation number {raw!r}: {' '.join(exc.messages)}") from None
    return raw


def _decimal(raw: str, where: str) -> Decimal:
    try:
        return Decimal(raw).quantize(Decimal("0.00001"))
    except InvalidOperation:
        raise ReferenceDataError(f"{where}: {raw!r} is not a coordinate") from None


def _upsert(
    model: type[Model], report: LoadReport, existing: Any, create: dict[str, Any], values: dict[str, Any]
) -> Any:
    """Create, or update only the fields that differ: an unchanged row is never written.

    ``values`` name foreign keys by their column (``county_id``), so comparing costs no query.
    """
    label = str(model._meta.model_name)
    if existing is None:
        obj = model(**create, **values)
        obj.clean_fields()
        obj.save()
        report.created[label] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        existing.clean_fields()
        fields = [name.removesuffix("_id") if name.endswith("_id") else name for name in changed]
        existing.save(update_fields=fields + (["updated_at"] if hasattr(existing, "updated_at") else []))
        report.updated[label] += 1
    return existing


@transaction.atomic
def load_reference_data(directory: Path = DATA_DIR) -> LoadReport:
    report = LoadReport()
    counties_rows = _read(directory / "fylker-2024.csv", ["fylkesnummer", "navn", "orgnr"])
    municipality_rows = _read(
        directory / "kommuner-2024.csv", ["kommunenummer", "navn", "fylkesnummer", "orgnr", "lat", "lon"]
    )
    network_rows = _read(directory / "diginettverk-2024.csv", ["kommunenummer", "diginettverk"])
    networks_by_municipality = {row["kommunenummer"]: row["diginettverk"] for _n, row in network_rows}

    # What is stored already, read once: the reference rows are a few hundred, the register may be large.
    stored_municipalities = {m.number: m for m in Municipality.objects.select_related("organisation")}
    numbers = {row["orgnr"] for _n, row in municipality_rows + counties_rows if row["orgnr"]}
    orgs_by_number = {o.org_number: o for o in Organisation.objects.filter(org_number__in=numbers)}
    for municipality in stored_municipalities.values():
        orgs_by_number.setdefault(municipality.organisation.org_number, municipality.organisation)

    municipality_orgs = _municipality_organisations(
        report, municipality_rows, networks_by_municipality, stored_municipalities, orgs_by_number
    )
    counties = _counties(report, counties_rows, orgs_by_number)
    stored_networks = {n.name: n for n in Diginettverk.objects.all()}
    networks = {
        name: stored_networks.get(name) or _upsert(Diginettverk, report, None, {"name": name}, {})
        for name in sorted(set(networks_by_municipality.values()))
    }
    for line, row in municipality_rows:
        where = f"kommuner-2024.csv line {line}"
        county = counties.get(row["fylkesnummer"])
        if county is None:
            raise ReferenceDataError(f"{where}: county {row['fylkesnummer']!r} is not in fylker-2024.csv")
        number = row["kommunenummer"]
        organisation = municipality_orgs[number]
        municipality = _upsert(
            Municipality,
            report,
            stored_municipalities.get(number),
            {"number": number},
            {
                "name": row["navn"],
                "county_id": county.pk,
                "diginettverk_id": networks[networks_by_municipality[number]].pk,
                "organisation_id": organisation.pk,
                "latitude": _decimal(row["lat"], where),
                "longitude": _decimal(row["lon"], where),
            },
        )
        _upsert(Organisation, report, organisation, {}, {"address_municipality_id": municipality.pk})
    return report


def _municipality_organisations(
    report: LoadReport,
    rows: list[tuple[int, dict[str, str]]],
    networks_by_municipality: dict[str, str],
    stored_municipalities: dict[str, Municipality],
    orgs_by_number: dict[str | None, Organisation],
) -> dict[str, Organisation]:
    """Each municipality's organisation (form KOMM), by municipality number; checks each row's number and
    Diginettverk. ``orgs_by_number`` learns the organisations made or found."""
    municipality_orgs: dict[str, Organisation] = {}
    seen_numbers: set[str] = set()
    for line, row in rows:
        where = f"kommuner-2024.csv line {line}"
        number = row["kommunenummer"]
        if len(number) != 4 or not number.isdigit():
            raise ReferenceDataError(f"{where}: municipality number {number!r} must have 4 digits")
        if number in seen_numbers:
            raise ReferenceDataError(f"{where}: municipality {number} appears twice")
        seen_numbers.add(number)
        if not networks_by_municipality.get(number):
            raise ReferenceDataError(f"{where}: municipality {number} has no Diginettverk")
        org_number = _org_number(row["orgnr"], where)
        stored = stored_municipalities.get(number)
        # A stored municipality keeps its organisation (Haram keeps its row when its number is learnt).
        existing = stored.organisation if stored else orgs_by_number.get(org_number) if org_number else None
        values: dict[str, Any] = {
            "name": f"{row['navn']} kommune",
            "form": OrganisationForm.KOMM,
            "industry_codes": [MUNICIPALITY_INDUSTRY_CODE],
        }
        if org_number:
            values["org_number"] = org_number
        municipality_orgs[number] = _upsert(
            Organisation,
            report,
            existing,
            {"org_number": None, "source": Source.REFERENCE_DATA}
            if not org_number
            else {"source": Source.REFERENCE_DATA},
            values,
        )
        orgs_by_number[org_number] = municipality_orgs[number]
    return municipality_orgs


def _counties(
    report: LoadReport, rows: list[tuple[int, dict[str, str]]], orgs_by_number: dict[str | None, Organisation]
) -> dict[str, County]:
    """Each county by its number, with its county authority's organisation (form FYLK) when it has one."""
    counties: dict[str, County] = {}
    stored_counties = {c.number: c for c in County.objects.all()}
    for line, row in rows:
        where = f"fylker-2024.csv line {line}"
        number = row["fylkesnummer"]
        if len(number) != 2 or not number.isdigit():
            raise ReferenceDataError(f"{where}: county number {number!r} must have 2 digits")
        org_number = _org_number(row["orgnr"], where)
        organisation = None
        if org_number:
            organisation = orgs_by_number.get(org_number) or _upsert(
                Organisation,
                report,
                None,
                {"source": Source.REFERENCE_DATA},
                {
                    "org_number": org_number,
                    "name": f"{row['navn']} fylkeskommune",
                    "form": OrganisationForm.FYLK,
                    "industry_codes": [MUNICIPALITY_INDUSTRY_CODE],
                },
            )
        counties[number] = _upsert(
            County,
            report,
            stored_counties.get(number),
            {"number": number},
            {"name": row["navn"], "organisation_id": organisation.pk if organisation else None},
        )
    return counties

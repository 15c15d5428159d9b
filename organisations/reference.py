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


def _upsert(model: type[Model], report: LoadReport, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create, or update only the fields that differ: an unchanged row is never written."""
    label = model._meta.model_name
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        report.created[label] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save(update_fields=changed + (["updated_at"] if hasattr(obj, "updated_at") else []))
        report.updated[label] += 1
    return obj


@transaction.atomic
def load_reference_data(directory: Path = DATA_DIR) -> LoadReport:
    report = LoadReport()
    counties_rows = _read(directory / "fylker-2024.csv", ["fylkesnummer", "navn", "orgnr"])
    municipality_rows = _read(
        directory / "kommuner-2024.csv", ["kommunenummer", "navn", "fylkesnummer", "orgnr", "lat", "lon"]
    )
    network_rows = _read(directory / "diginettverk-2024.csv", ["kommunenummer", "diginettverk"])
    networks_by_municipality = {row["kommunenummer"]: row["diginettverk"] for _n, row in network_rows}

    municipality_orgs: dict[str, Organisation] = {}
    seen_numbers: set[str] = set()
    for line, row in municipality_rows:
        where = f"kommuner-2024.csv line {line}"
        number = row["kommunenummer"]
        if len(number) != 4 or not number.isdigit():
            raise ReferenceDataError(f"{where}: municipality number {number!r} must have 4 digits")
        if number in seen_numbers:
            raise ReferenceDataError(f"{where}: municipality {number} appears twice")
        seen_numbers.add(number)
        if number not in networks_by_municipality or not networks_by_municipality[number]:
            raise ReferenceDataError(f"{where}: municipality {number} has no Diginettverk")
        org_number = _org_number(row["orgnr"], where)
        existing = Municipality.objects.select_related("organisation").filter(number=number).first()
        org_lookup: dict[str, Any]
        if existing is not None:
            org_lookup = {"pk": existing.organisation_id}
        elif org_number:
            org_lookup = {"org_number": org_number}
        else:
            org_lookup = {"municipality__number": number}
        values: dict[str, Any] = {
            "name": f"{row['navn']} kommune",
            "form": OrganisationForm.KOMM,
            "industry_codes": [MUNICIPALITY_INDUSTRY_CODE],
        }
        if org_number:
            values["org_number"] = org_number
        org = Organisation.objects.filter(**org_lookup).first()
        if org is None:
            # Haram (re-established 2024) has no known number yet: created once, then found by municipality.
            org = Organisation(**{**values, "org_number": org_number, "source": Source.REFERENCE_DATA})
            org.full_clean(validate_unique=False, validate_constraints=False)
            org.save()
            report.created["organisation"] += 1
        else:
            org = _upsert(Organisation, report, {"pk": org.pk}, values)
        municipality_orgs[number] = org

    counties: dict[str, County] = {}
    for line, row in counties_rows:
        where = f"fylker-2024.csv line {line}"
        number = row["fylkesnummer"]
        if len(number) != 2 or not number.isdigit():
            raise ReferenceDataError(f"{where}: county number {number!r} must have 2 digits")
        org_number = _org_number(row["orgnr"], where)
        organisation = None
        if org_number:
            organisation = Organisation.objects.filter(org_number=org_number).first()
            if organisation is None:
                organisation = _upsert(
                    Organisation,
                    report,
                    {"org_number": org_number},
                    {
                        "name": f"{row['navn']} fylkeskommune",
                        "form": OrganisationForm.FYLK,
                        "industry_codes": [MUNICIPALITY_INDUSTRY_CODE],
                        "source": Source.REFERENCE_DATA,
                    },
                )
        counties[number] = _upsert(
            County, report, {"number": number}, {"name": row["navn"], "organisation": organisation}
        )

    networks = {
        name: _upsert(Diginettverk, report, {"name": name}, {})
        for name in sorted(set(networks_by_municipality.values()))
    }

    for line, row in municipality_rows:
        where = f"kommuner-2024.csv line {line}"
        county = counties.get(row["fylkesnummer"])
        if county is None:
            raise ReferenceDataError(f"{where}: county {row['fylkesnummer']!r} is not in fylker-2024.csv")
        number = row["kommunenummer"]
        municipality = _upsert(
            Municipality,
            report,
            {"number": number},
            {
                "name": row["navn"],
                "county": county,
                "diginettverk": networks[networks_by_municipality[number]],
                "organisation": municipality_orgs[number],
                "latitude": _decimal(row["lat"], where),
                "longitude": _decimal(row["lon"], where),
            },
        )
        _upsert(Organisation, report, {"pk": municipality.organisation_id}, {"address_municipality": municipality})
    return report

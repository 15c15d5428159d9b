"""Applying register units to the member registry, one batch at a time (bulk import and update feed).

Which units matter: municipalities and county authorities, every organisation the portal already
knows (its members and candidates), and every unit an active membership rule selects. The rest of
the register is not stored.

A batch is written with a handful of queries whatever its size: one read of what is stored, one
upsert of the organisations that are new or changed, one upsert of their register entries and one
insert of follow-ups. A unit whose values are already stored is not written again, so applying the
same units twice changes nothing. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from enhetsregisteret.models import FollowUp, MembershipRule, RegisterEntry
from enhetsregisteret.reader import PUBLIC_FORMS, Selection
from enhetsregisteret.records import Unit
from lib.search import fold
from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.choices import Source
from organisations.models import Municipality, Organisation

# Columns of Organisation that the register decides.
ORG_FIELDS = [
    "name",
    "form",
    "industry_codes",
    "business_address",
    "postal_code",
    "postal_place",
    "address_municipality_id",
    "email",
    "phone",
    "written_form",
    "register_status",
]
ENTRY_FIELDS = [
    "deleted_on",
    "removed",
    "bankrupt",
    "under_liquidation",
    "forced_liquidation",
    "sector_code",
    "must_be_member",
    "record_hash",
]
# Members whose standing in the register is followed up (a non-member leaving is no one's concern).
FOLLOWED_STATES = [
    MembershipState.INVITED,
    MembershipState.ACTIVE,
    MembershipState.MUST_RESIGN,
    MembershipState.SUSPENDED,
]


class RuleSet:
    """The active membership rules, compiled once per run."""

    def __init__(self, rules: Iterable[MembershipRule] | None = None) -> None:
        if rules is None:
            rules = MembershipRule.objects.filter(active=True)
        self.by_form: dict[str, list[tuple[str, ...]]] = {}
        for rule in rules:
            for form in rule.forms:
                self.by_form.setdefault(form, []).append(tuple(rule.industry_prefixes))
        # Compiled: forms any industry makes a candidate, and per form the union of its prefixes.
        self.any_industry = frozenset(form for form, lists in self.by_form.items() if any(not p for p in lists))
        self.prefixes = {form: tuple({p for lst in lists for p in lst}) for form, lists in self.by_form.items()}

    def selects(self, form: str, codes: list[str]) -> bool:
        if form in self.any_industry:
            return True
        prefixes = self.prefixes.get(form)
        if not prefixes:
            return False
        return any(code.startswith(prefixes) for code in codes)


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    follow_ups: int = 0
    created_numbers: list[str] = field(default_factory=list)


class Applier:
    """Decides which units matter and writes them. Build one per run (it caches the rules, the
    municipalities and the organisation numbers the portal knows)."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules or RuleSet()
        self.municipalities = dict(Municipality.objects.values_list("number", "pk"))
        self.known = set(Organisation.objects.exclude(org_number=None).values_list("org_number", flat=True))

    def stored_hashes(self, numbers: list[str]) -> dict[str, str]:
        """The digest each of ``numbers`` was last applied with (one query)."""
        return dict(
            RegisterEntry.objects.filter(organisation__org_number__any=numbers).values_list(  # type: ignore[arg-type]  # entries belong to numbered units
                "organisation__org_number", "record_hash"
            )
        )

    def selection(self) -> Selection:
        """What the bulk file's reader keeps (see enhetsregisteret.reader), as of now."""
        return Selection(
            known=frozenset(self.known),  # type: ignore[arg-type]  # units read from the register have numbers
            any_industry=self.rules.any_industry,
            prefixes={form: prefixes for form, prefixes in self.rules.prefixes.items() if prefixes},
        )

    def relevant_unit(self, unit: Unit) -> bool:
        if unit.org_number in self.known:
            return True
        if unit.reduced:
            return False
        return unit.form in PUBLIC_FORMS or self.rules.selects(unit.form, unit.industry_codes)

    def apply(
        self, units: list[Unit], now: dt.datetime | None = None, hashes: dict[str, str] | None = None
    ) -> BatchResult:
        """Write ``units``; ``hashes`` (organisation number → digest of the raw record) are stored
        with them so that the next import can skip the unchanged ones."""
        now = now or timezone.now()
        hashes = hashes or {}
        result = BatchResult()
        by_number: dict[str, Unit] = {}
        for unit in units:
            by_number[unit.org_number] = unit  # the last word on a unit wins
        if not by_number:
            return result
        stored = {
            row["org_number"]: row
            for row in Organisation.objects.filter(org_number__any=list(by_number)).values(
                "pk", "org_number", "source", "created_at", *ORG_FIELDS
            )
        }
        entries = {
            e.organisation_id: e
            for e in RegisterEntry.objects.filter(organisation__id__any=[r["pk"] for r in stored.values()])
        }

        self._write_organisations(by_number, stored, now, result)
        follow_candidates = self._write_entries(by_number, stored, entries, hashes, now)
        if follow_candidates:
            result.follow_ups += self._open_follow_ups(follow_candidates, now)
        return result

    def _write_organisations(
        self, by_number: dict[str, Unit], stored: dict[str, dict[str, Any]], now: dt.datetime, result: BatchResult
    ) -> None:
        """Insert the new units and update the changed ones (one upsert); ``stored`` learns the new rows' keys."""
        write: list[dict[str, Any]] = []
        for number, unit in by_number.items():
            row = stored.get(number)
            values = self._org_values(unit, row)
            if row is None:
                if unit.reduced:
                    continue
                write.append({"org_number": number, "source": Source.ENHETSREGISTERET, "created_at": now, **values})
                result.created += 1
                result.created_numbers.append(number)
            elif any(row[name] != values[name] for name in ORG_FIELDS):
                write.append({"org_number": number, "source": row["source"], "created_at": row["created_at"], **values})
                result.updated += 1
            else:
                result.unchanged += 1
        if write:
            for org in write:
                org["search_name"] = org["name"].casefold()
                org["search_key"] = fold(org["name"])
                org["synced_at"] = org["updated_at"] = now
            upsert(
                Organisation,
                write,
                conflict="org_number",
                update=[*ORG_FIELDS, "search_name", "search_key", "synced_at", "updated_at"],
            )
            self.known.update(org["org_number"] for org in write)
        if result.created:
            for number, pk in Organisation.objects.filter(org_number__any=result.created_numbers).values_list(  # type: ignore[assignment]  # created units have numbers
                "org_number", "pk"
            ):
                stored[number] = {"pk": pk}

    def _write_entries(
        self,
        by_number: dict[str, Unit],
        stored: dict[str, dict[str, Any]],
        entries: dict[int, RegisterEntry],
        hashes: dict[str, str],
        now: dt.datetime,
    ) -> dict[int, Unit]:
        """Upsert each stored unit's register entry where it changed; return the units (by organisation
        key) that carry a reason to follow up."""
        entry_rows: list[dict[str, Any]] = []
        follow_candidates: dict[int, Unit] = {}
        for number, unit in by_number.items():
            row = stored.get(number)
            if row is None:
                continue
            pk = row["pk"]
            entry = entries.get(pk)
            form = unit.form or (row.get("form") or "")
            codes = unit.industry_codes if not unit.reduced else (row.get("industry_codes") or [])
            values = {
                "deleted_on": unit.deleted_on,
                "removed": unit.removed,
                "bankrupt": unit.bankrupt,
                "under_liquidation": unit.under_liquidation,
                "forced_liquidation": unit.forced_liquidation,
                "sector_code": unit.sector_code if not unit.reduced else (entry.sector_code if entry else ""),
                "must_be_member": unit.register_status == "active" and self.rules.selects(form, codes),
                "record_hash": hashes.get(number, ""),
            }
            if entry is None or any(getattr(entry, name) != value for name, value in values.items()):
                entry_rows.append(
                    {"organisation_id": pk, "first_seen_at": entry.first_seen_at if entry else now, **values}
                )
            if unit.follow_up_reasons:
                follow_candidates[pk] = unit
        if entry_rows:
            upsert(RegisterEntry, entry_rows, conflict="organisation_id", update=ENTRY_FIELDS)
        return follow_candidates

    @staticmethod
    def _open_follow_ups(follow_candidates: dict[int, Unit], now: dt.datetime) -> int:
        """A follow-up for each reason of each member among ``follow_candidates`` not already open; how many."""
        members = Membership.objects.filter(
            organisation__id__any=list(follow_candidates), state__in=FOLLOWED_STATES
        ).values_list("organisation_id", flat=True)
        open_now = set(
            FollowUp.objects.open()
            .filter(organisation__id__any=list(follow_candidates))
            .values_list("organisation_id", "reason")
        )
        new = [
            FollowUp(organisation_id=pk, reason=reason, detected_at=now, detail=_detail(follow_candidates[pk]))
            for pk in members
            for reason in follow_candidates[pk].follow_up_reasons
            if (pk, reason) not in open_now
        ]
        if new:
            FollowUp.objects.bulk_create(new, ignore_conflicts=True)
        return len(new)

    def _org_values(self, unit: Unit, row: dict[str, Any] | None) -> dict[str, Any]:
        """The organisation's fields as the register gives them. A reduced (deleted) body changes only
        the status; a reference-data organisation keeps the name the portal gave it."""
        status = unit.register_status
        if unit.reduced and row is not None:
            values = {name: row[name] for name in ORG_FIELDS}
            values["register_status"] = status
            if unit.name and row["source"] != Source.REFERENCE_DATA:
                values["name"] = unit.name
            return values
        values = {
            "name": unit.name or (row["name"] if row else unit.org_number),
            "form": unit.form or (row["form"] if row else ""),
            "industry_codes": unit.industry_codes,
            "business_address": unit.business_address,
            "postal_code": unit.postal_code,
            "postal_place": unit.postal_place,
            "address_municipality_id": self.municipalities.get(unit.municipality_number),
            "email": unit.email,
            "phone": unit.phone,
            "written_form": unit.written_form,
            "register_status": status,
        }
        if unit.municipality_number and values["address_municipality_id"] is None and row is not None:
            # A number the portal does not know (one from before the 2020 or 2024 reforms, or a typo) never
            # erases a municipality it knows.
            values["address_municipality_id"] = row["address_municipality_id"]
        if row is not None and row["source"] == Source.REFERENCE_DATA:
            values["name"] = row["name"]  # "Bergen kommune", not the register's "BERGEN KOMMUNE"
            values["address_municipality_id"] = row["address_municipality_id"] or values["address_municipality_id"]
        return values


def upsert(model: type[Model], rows: list[dict[str, Any]], *, conflict: str, update: list[str]) -> None:
    """INSERT … ON CONFLICT (conflict) DO UPDATE, one statement run for many rows (PostgreSQL and
    SQLite ≥ 3.24 share the syntax). ``rows`` map column names to Python values; JSON, date and time
    values are adapted by their fields, the rest passed as they are. A third of the cost of
    bulk_create(update_conflicts=…), which builds a model instance per row: this runs for every
    relevant unit of a 1.17-million-unit file. Multi-row VALUES, chunked under the backend's
    parameter limit: one round trip per chunk."""
    columns = list(rows[0])
    if connection.vendor == "postgresql":
        _upsert_copy(model, rows, columns, conflict, update)
        return
    fields = {f.column: f for f in model._meta.concrete_fields}
    adapters: list[Callable[..., Any] | None] = []
    for column in columns:
        field = fields[column]
        if field.get_internal_type() in {"JSONField", "DateTimeField", "DateField"}:
            adapters.append(lambda value, field=field: field.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    # Table and column names come from the model's _meta and are quoted; values are parameters.
    qn = connection.ops.quote_name
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    max_params = connection.features.max_query_params or 65_000
    chunk = max(1, min(250, max_params // len(columns)))
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({qn(conflict)}) DO UPDATE SET " + ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in update)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params: list[Any] = []
            for row in part:
                params.extend(
                    value if adapt is None else adapt(value)
                    for value, adapt in zip((row[c] for c in columns), adapters, strict=True)
                )
            cursor.execute(head + ", ".join([row_sql] * len(part)) + tail, params)


def _upsert_copy(
    model: type[Model], rows: list[dict[str, Any]], columns: list[str], conflict: str, update: list[str]
) -> None:
    """PostgreSQL: COPY the rows into a temporary table (dropped at commit), then one
    INSERT … SELECT … ON CONFLICT. No SQL text grows with the rows, and COPY is PostgreSQL's fastest
    way in."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    json_columns = {f.column for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
    names = ", ".join(qn(c) for c in columns)
    temp = qn(f"upsert_{table}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {qn(table)} WITH NO DATA"  # noqa: S608
        )
        with cursor.cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in json_columns else row[c] for c in columns])
        assignments = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in update)
        cursor.execute(
            f"INSERT INTO {qn(table)} ({names}) SELECT {names} FROM {temp} "  # noqa: S608 - names from _meta, quoted
            f"ON CONFLICT ({qn(conflict)}) DO UPDATE SET {assignments}"
        )
        cursor.execute(f"DROP TABLE {temp}")


def _detail(unit: Unit) -> str:
    if unit.deleted_on:
        return unit.deleted_on.isoformat()
    return ""

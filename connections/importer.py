"""CSV import of connections (staff): every row is validated first; a bad row is reported with its line
number and nothing from the file is stored until all rows are valid; then all rows are stored in one
transaction through the same service as the form.

Columns (first line): owner, shared_with, site_address, site_municipality, type, provider,
bandwidth_mbps, redundancy, uptime_target, status, planned_on, ordered_on, activated_on,
decommissioned_on, notes. ``owner`` and ``shared_with`` are organisation numbers (several separated by
spaces), ``site_municipality`` a municipality number, ``type`` a connection type code; dates are
YYYY-MM-DD or DD.MM.YYYY.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from connections import services
from connections.choices import ChangeKind, ConnectionStatus, Redundancy
from connections.forms import organisations_by_number
from connections.models import Connection, ConnectionType, Outage
from connections.uptime import OSLO
from core.permissions import Action, require
from organisations.models import Municipality, Organisation

COLUMNS = [
    "owner",
    "shared_with",
    "site_address",
    "site_municipality",
    "type",
    "provider",
    "bandwidth_mbps",
    "redundancy",
    "uptime_target",
    "status",
    "planned_on",
    "ordered_on",
    "activated_on",
    "decommissioned_on",
    "notes",
]
REQUIRED = {"owner", "site_address", "site_municipality", "type", "bandwidth_mbps", "status"}
DATE_COLUMNS = ("planned_on", "ordered_on", "activated_on", "decommissioned_on")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    created: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (use YYYY-MM-DD or DD.MM.YYYY)."), params={"value": text})


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {message}" for name, errors in error.message_dict.items() for message in errors]
    return list(error.messages)


class _Lookups:
    """Reference data read once per file, so validating N rows runs a fixed number of queries."""

    def __init__(self) -> None:
        self.types = {t.code: t for t in ConnectionType.objects.all()}
        self.municipalities = {m.number: m for m in Municipality.objects.all()}


Fail = Callable[[str, str], None]


def _row_to_connection(row: dict[str, str], lookups: _Lookups) -> tuple[Connection, list[Any]]:
    errors: dict[str, list[str]] = {}

    def fail(column: str, message: str) -> None:
        errors.setdefault(column, []).append(message)

    values = {key: (row.get(key) or "").strip() for key in COLUMNS}
    for column in sorted(REQUIRED):
        if not values[column]:
            fail(column, _("This column must have a value."))
    owner, shared = _owner_and_shared(values, fail)
    municipality = lookups.municipalities.get(values["site_municipality"])
    if values["site_municipality"] and municipality is None:
        fail("site_municipality", _("No municipality has the number %(n)s.") % {"n": values["site_municipality"]})
    connection_type = lookups.types.get(values["type"])
    if values["type"] and connection_type is None:
        fail("type", _("Unknown type. Use one of: %(codes)s.") % {"codes": ", ".join(sorted(lookups.types))})
    bandwidth, target = _bandwidth_and_target(values, fail)
    redundancy = values["redundancy"] or Redundancy.SINGLE
    if redundancy not in Redundancy.values:
        fail("redundancy", _("Use one of: %(values)s.") % {"values": ", ".join(Redundancy.values)})
    if values["status"] and values["status"] not in ConnectionStatus.values:
        fail("status", _("Use one of: %(values)s.") % {"values": ", ".join(ConnectionStatus.values)})
    dates = _dates(values, fail)
    if errors:
        raise ValidationError(errors)
    connection = Connection(
        organisation=owner,
        site_address=values["site_address"],
        site_municipality=municipality,
        connection_type=connection_type,
        provider=values["provider"],
        bandwidth_mbps=bandwidth,  # type: ignore[misc]  # REQUIRED: a missing bandwidth failed above
        redundancy=redundancy,
        uptime_target=target,
        status=values["status"],
        notes=values["notes"],
        **dates,
    )
    return connection, shared or []


def _owner_and_shared(values: dict[str, str], fail: Fail) -> tuple[Organisation | None, list[Organisation]]:
    """The owning organisation (exactly one number) and those the line is shared with."""
    owner = None
    shared: list[Organisation] = []
    if values["owner"]:
        try:
            found = organisations_by_number(values["owner"])
            owner = found[0] if len(found) == 1 else None
            if owner is None:
                fail("owner", _("Give exactly one organisation number."))
        except ValidationError as exc:
            fail("owner", " ".join(exc.messages))
    try:
        shared = organisations_by_number(values["shared_with"])
    except ValidationError as exc:
        fail("shared_with", " ".join(exc.messages))
    return owner, shared


def _bandwidth_and_target(values: dict[str, str], fail: Fail) -> tuple[int | None, Decimal]:
    """The bandwidth in whole Mbit/s and the uptime target in per cent (99.9 when not given)."""
    bandwidth = None
    if values["bandwidth_mbps"]:
        try:
            bandwidth = int(values["bandwidth_mbps"])
        except ValueError:
            fail("bandwidth_mbps", _("Give the bandwidth as a whole number of Mbit/s."))
    target = Decimal("99.9")
    if values["uptime_target"]:
        try:
            target = Decimal(values["uptime_target"].replace(",", "."))
        except InvalidOperation:
            fail("uptime_target", _("Give the uptime target as a percentage, for example 99.9."))
    return bandwidth, target


def _dates(values: dict[str, str], fail: Fail) -> dict[str, dt.date | None]:
    dates: dict[str, dt.date | None] = {}
    for column in DATE_COLUMNS:
        dates[column] = None
        if values[column]:
            try:
                dates[column] = _date(values[column])
            except ValidationError as exc:
                fail(column, " ".join(exc.messages))
    return dates


def read_rows(
    content: bytes, columns: list[str] = COLUMNS, required: set[str] = REQUIRED
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(line number, row) for each data line, or the errors that make the file unreadable."""
    if len(content) > MAX_BYTES:
        return [], [_("The file is larger than 5 MB.")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        return [], [_("The file is empty.")]
    reader.fieldnames = header
    problems = []
    missing = sorted(required - set(header))
    if missing:
        problems.append(_("Line 1: missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = sorted(set(header) - set(columns))
    if unknown:
        problems.append(_("Line 1: unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if problems:
        return [], problems
    rows = []
    try:
        for row in reader:
            if None in row:
                problems.append(_("Line %(line)s: more cells than columns.") % {"line": reader.line_num})
                continue
            if any((value or "").strip() for value in row.values()):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        return [], [
            _("Line %(line)s: the file is not valid CSV (%(error)s).") % {"line": reader.line_num, "error": exc}
        ]
    if not rows and not problems:
        problems.append(_("The file has no rows after the column names."))
    if len(rows) > MAX_ROWS:
        problems.append(_("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS})
    return rows, problems


def import_connections(*, actor: Any, content: bytes) -> ImportResult:
    """Validate every row; store all of them (one transaction) only if every row is valid."""
    require(actor, Action.CONNECTION_MANAGE)
    result = ImportResult()
    rows, result.errors = read_rows(content)
    if result.errors:
        return result
    lookups = _Lookups()
    parsed: list[tuple[int, Connection, list[Any]]] = []
    for line, row in rows:
        try:
            connection, shared = _row_to_connection(row, lookups)
            if connection.status == ConnectionStatus.PLANNED and connection.planned_on is None:
                connection.planned_on = dt.date.today()
            services._validate(connection, shared)
        except ValidationError as exc:
            result.errors += [_("Line %(line)s: %(message)s") % {"line": line, "message": m} for m in _messages(exc)]
            continue
        parsed.append((line, connection, shared))
    if result.errors:
        return result
    with transaction.atomic():
        for line, connection, shared in parsed:
            try:
                result.created.append(
                    services.connection_save(
                        actor=actor, connection=connection, shared_with=shared, kind=ChangeKind.IMPORTED
                    )
                )
            except ValidationError as exc:  # pragma: no cover - validated above; kept for a clear message
                transaction.set_rollback(True)
                result.errors += [
                    _("Line %(line)s: %(message)s") % {"line": line, "message": m} for m in _messages(exc)
                ]
                result.created = []
                return result
    return result


# --- outages --------------------------------------------------------------------------------------

OUTAGE_COLUMNS = ["connection", "start", "end", "cause", "planned"]
OUTAGE_REQUIRED = {"connection", "start", "cause"}
YES = {"yes", "ja", "true", "1", "x"}
NO = {"", "no", "nei", "false", "0"}


def _datetime(text: str) -> dt.datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=OSLO)
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a time (use YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM, Norwegian time)."),
        params={"value": text},
    )


def _row_to_outage(row: dict[str, str], connections: dict[str, Connection]) -> Outage:
    values = {key: (row.get(key) or "").strip() for key in OUTAGE_COLUMNS}
    errors: dict[str, list[str]] = {}
    for column in sorted(OUTAGE_REQUIRED):
        if not values[column]:
            errors.setdefault(column, []).append(_("This column must have a value."))
    connection = connections.get(values["connection"])
    if values["connection"] and connection is None:
        errors.setdefault("connection", []).append(
            _("No connection has the number %(n)s.") % {"n": values["connection"]}
        )
    times: dict[str, dt.datetime | None] = {"start": None, "end": None}
    for column in times:
        if values[column]:
            try:
                times[column] = _datetime(values[column])
            except ValidationError as exc:
                errors.setdefault(column, []).extend(exc.messages)
    planned = values["planned"].casefold()
    if planned not in YES | NO:
        errors.setdefault("planned", []).append(_("Use yes or no."))
    if errors:
        raise ValidationError(errors)
    return Outage(connection=connection, cause=values["cause"], planned=planned in YES, **times)


def import_outages(*, actor: Any, content: bytes) -> ImportResult:
    """Outages from CSV (connection number, start, end, cause, planned): all rows or none."""
    require(actor, Action.CONNECTION_MANAGE)
    result = ImportResult()
    rows, result.errors = read_rows(content, OUTAGE_COLUMNS, OUTAGE_REQUIRED)
    if result.errors:
        return result
    wanted = {(row.get("connection") or "").strip() for _line, row in rows}
    connections = {
        str(c.pk): c for c in Connection.objects.filter(pk__in=[n for n in wanted if n.isdigit() and len(n) < 10])
    }
    outages: list[tuple[int, Outage]] = []
    for line, row in rows:
        try:
            outage = _row_to_outage(row, connections)
            outage.full_clean()
            if outage.end is not None and outage.end <= outage.start:
                raise ValidationError({"end": _("The end must be after the start.")})
        except ValidationError as exc:
            result.errors += [_("Line %(line)s: %(message)s") % {"line": line, "message": m} for m in _messages(exc)]
            continue
        outages.append((line, outage))
    if result.errors:
        return result
    with transaction.atomic():
        for _line, outage in outages:
            result.created.append(services.outage_save(actor=actor, outage=outage))
    return result

"""XLSX that spreadsheets open safely: the same formula-injection rule as the CSV exports.

Every text cell is stored as a string, never as a formula, and text that a spreadsheet would read as
the start of one (:func:`lib.csvsafe.is_dangerous`: = + - @ tab or carriage return, the one rule in
one place) is marked "quote prefix", Excel's own way of keeping typed text text when it is edited:
nothing is added to what the reader sees. Numbers, dates and booleans keep their type, so a spreadsheet can sum
and sort them (a number is never a formula). Characters that XML 1.0 cannot carry (control
characters other than tab, line feed and carriage return) are dropped rather than failing the export.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lib.csvsafe import is_dangerous

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH = 60


@dataclass
class Sheet:
    """One worksheet: a title (at most 31 characters in Excel; longer ones are cut), a bold header row
    that stays in view when scrolling, and the rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def safe_value(value: Any) -> Any:
    """The value as it may be written to a cell: text without what XML cannot carry, numbers and dates
    as they are."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)  # Excel has no time zones: the caller passes local time
        return value
    return _ILLEGAL.sub("", str(value))


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip("' ")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per :class:`Sheet`, as bytes."""
    if not sheets:
        raise ValueError("to_xlsx needs at least one sheet.")
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_title(sheet.title, used))
        widths = [len(str(name)) for name in sheet.header]
        for row_number, row in enumerate([sheet.header, *sheet.rows], start=1):
            for column_number, raw in enumerate(row, start=1):
                value = safe_value(raw)
                cell = worksheet.cell(row=row_number, column=column_number)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = TYPE_STRING  # never "f" (formula), whatever the text
                    if is_dangerous(value):
                        cell.quotePrefix = True
                    if column_number > len(widths):
                        widths.append(0)
                    longest_line = max((len(line) for line in value.splitlines()), default=0)
                    widths[column_number - 1] = max(widths[column_number - 1], longest_line)
                elif isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                if row_number == 1:
                    cell.font = bold
        worksheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10) + 2, _MAX_WIDTH)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

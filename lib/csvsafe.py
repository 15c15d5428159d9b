"""CSV that opens right in a spreadsheet with Norwegian settings, and never runs a formula.

Every CSV the portal offers is written the same way, the way Excel with Norwegian settings reads a
file opened by double-click: UTF-8 with a byte-order mark (else Excel reads Windows-1252 and "Bodø"
arrives as "BodÃ¸"), semicolons between cells (the comma is the Norwegian decimal sign), decimal
commas in numbers, RFC 4180 quoting and CRLF line ends.

A cell that begins with = + - @ tab or carriage return (after leading spaces) gets a leading
apostrophe, the OWASP-recommended neutralisation, so "=HYPERLINK(…)" in an organisation name shows
as text instead of running. (XLSX needs no visible apostrophe: see lib.xlsxsafe.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"
BYTE_ORDER_MARK = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet read this text as the start of a formula?"""
    return text.lstrip(" ").startswith(DANGEROUS)


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    if is_dangerous(text):
        return "'" + text
    return text


def cell_text(value: Any) -> str:
    """One cell as Norwegian Excel reads it: decimal commas in numbers, text neutralised."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return neutralise(value)


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """The whole file as text, byte-order mark first."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([cell_text(cell) for cell in header])
    for row in rows:
        writer.writerow([cell_text(cell) for cell in row])
    return buffer.getvalue()


def read_csv(content: bytes | str) -> list[list[str]]:
    """What ``to_csv`` wrote, read back (for tests and for imports of our own exports)."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return list(csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK), newline=""), delimiter=DELIMITER))


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A download of ``to_csv``; ``filename`` is the portal's own (ASCII, no quotes)."""
    response = HttpResponse(to_csv(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

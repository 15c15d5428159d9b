"""CSV that spreadsheets open safely: RFC 4180 quoting, and no cell read as a formula.

A cell that begins with = + - @ tab or carriage return (after leading spaces) gets a leading
apostrophe, the OWASP-recommended neutralisation, so "=HYPERLINK(…)" in an organisation name shows
as text instead of running.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(DANGEROUS):
        return "'" + text
    return text


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()

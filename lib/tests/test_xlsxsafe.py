"""lib.xlsxsafe: the exported workbook, parsed back with openpyxl, has no formula and the CSV rule."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lib.csvsafe import is_dangerous
from lib.xlsxsafe import Sheet, safe_value, to_xlsx

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "+47 Legesenter AS",
    "-1+1 AS",
    "@SUM(A1) AS",
    "\tTab AS",
    "\rCR AS",
    " =1+1 AS",
    "   @cmd AS",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ['Legesenter "Sentrum" AS', "Fjord Helse AS\nAvdeling Nord", "Helse-Vest AS", "Ærlig Øye Å AS", ""]


def _read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_text_cells_are_never_formulas_and_dangerous_ones_are_quote_prefixed_without_an_apostrophe() -> None:
    data = to_xlsx([Sheet("Navn", ["Name"], [[name] for name in DANGEROUS + HARMLESS])])

    sheet = _read(data)["Navn"]
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]

    for name, value, cell in zip(DANGEROUS, values, cells, strict=False):
        assert value == name, repr(name)  # shown as typed: no visible apostrophe
        assert cell.quotePrefix and is_dangerous(name), repr(name)
    for name, value, cell in zip(HARMLESS, values[len(DANGEROUS) :], cells[len(DANGEROUS) :], strict=True):
        assert value == (name or None), repr(name)
        assert not cell.quotePrefix
    assert all(cell.data_type != "f" for cell in cells)
    # Nothing in the file is a formula element.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_the_header_is_protected_too_and_bold() -> None:
    sheet = _read(to_xlsx([Sheet("S", ["=evil", "Ok"], [])]))["S"]
    assert [cell.value for cell in sheet[1]] == ["=evil", "Ok"]
    assert sheet["A1"].quotePrefix and sheet["A1"].data_type == "s"
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"


def test_numbers_and_dates_keep_their_type() -> None:
    rows = [[3, -2, 1.5, Decimal("2.25"), dt.date(2025, 3, 10), dt.datetime(2025, 3, 10, 9, 30), True, None]]
    sheet = _read(to_xlsx([Sheet("Tall", list("ABCDEFGH"), rows)]))["Tall"]

    values = next(sheet.iter_rows(min_row=2, values_only=True))
    assert values[:4] == (3, -2, 1.5, 2.25)  # a negative number is a number, not a formula
    assert values[4] == dt.datetime(2025, 3, 10, 0, 0)
    assert values[5] == dt.datetime(2025, 3, 10, 9, 30)
    assert values[6] is True and values[7] is None
    assert sheet["E2"].number_format == "yyyy-mm-dd"


def test_an_aware_datetime_is_written_as_the_given_local_time() -> None:
    from zoneinfo import ZoneInfo

    moment = dt.datetime(2025, 3, 10, 23, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    assert safe_value(moment) == dt.datetime(2025, 3, 10, 23, 30)


def test_control_characters_xml_cannot_carry_are_dropped() -> None:
    sheet = _read(to_xlsx([Sheet("S", ["Name"], [["Bad\x00\x07name\x1f AS"], ["-\x01x"]])]))["S"]
    assert sheet["A2"].value == "Badname AS"
    assert sheet["A3"].value == "-x" and sheet["A3"].quotePrefix


def test_several_sheets_with_safe_unique_titles() -> None:
    sheets = [
        Sheet("Per fylke", ["A"], [[1]]),
        Sheet("per fylke", ["A"], [[2]]),
        Sheet("Før/etter: [2025]*?", ["A"], [[3]]),
        Sheet("X" * 40, ["A"], [[4]]),
        Sheet("", ["A"], [[5]]),
    ]
    workbook = _read(to_xlsx(sheets))
    assert workbook.sheetnames == ["Per fylke", "per fylke (2)", "Før etter   2025", "X" * 31, "Sheet"]
    assert [workbook[name]["A2"].value for name in workbook.sheetnames] == [1, 2, 3, 4, 5]


def test_a_workbook_needs_a_sheet() -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        to_xlsx([])

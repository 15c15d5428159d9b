"""Every CSV opens right in Excel with Norwegian settings: byte-order mark, semicolons, decimal commas."""

from decimal import Decimal

from lib.csvsafe import csv_response, read_csv, to_csv


def test_it_starts_with_a_byte_order_mark_and_separates_cells_with_semicolons() -> None:
    text = to_csv(["Navn", "Beløp"], [["Bodø kommune", Decimal("42720.50")], ["Ås; Vestby", 1.2]])
    assert text.startswith("\ufeffNavn;Beløp\r\n")
    assert "Bodø kommune;42720,50\r\n" in text
    assert '"Ås; Vestby";1,2\r\n' in text


def test_what_it_writes_reads_back_cell_for_cell() -> None:
    rows = [['=HYPERLINK("x")', "Linje 1\nLinje 2", 7], ["", None, True]]
    assert read_csv(to_csv(["A", "B", "C"], rows).encode("utf-8")) == [
        ["A", "B", "C"],
        ['\'=HYPERLINK("x")', "Linje 1\nLinje 2", "7"],
        ["", "", "True"],
    ]


def test_the_response_is_a_utf8_csv_download() -> None:
    response = csv_response("ikke-signert.csv", ["Navn"], [["Øyer"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ikke-signert.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfNavn\r\n")

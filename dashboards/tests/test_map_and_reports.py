# ruff: noqa: F811 - the status tests' fixtures (clock, version, scene) are imported and used by name
"""The status map, the XLSX exports (parsed back with openpyxl) and the PDF status report per county or
Diginettverk (read back with pdftotext). The scene is the one of test_status (T1, clock at 20 March 2027):

    Ringsaker (A, 3411), Lillehammer (3405), Gjøvik (3407): Innlandet, Digi Innlandet, all signed by 10 March
    Bergen (B, 4601): Vestland, DigiVestland, signed 9 March;  Sogndal (4640): Vestland, Digi Sogn, not signed
    Bergen Legesenter AS: Vestland, not signed
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import municipality_map
from dashboards.tests.test_status import (  # noqa: F401 - fixtures shared with the status tests
    DANGEROUS_NAMES,
    EN,
    HARMLESS_NAMES,
    clock,
    oslo,
    page_text,
    scene,
    table,
    version,
)
from lib.csvsafe import read_csv
from memberships.models import ReminderLog, TermsVersion
from organisations.models import Organisation
from organisations.tests.factories import OrganisationFactory

MAP = reverse("dashboards:status_map")
STATUS_XLSX = reverse("dashboards:status_xlsx")
MISSING_XLSX = reverse("dashboards:missing_xlsx")
MISSING_CSV = reverse("dashboards:missing_csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_url(group: str, key: Any) -> str:
    return reverse("dashboards:status_report", args=[group, str(key)])


def svg_paths(response: Any) -> dict[str, Any]:
    doc = lxml.html.fromstring(response.content.decode())
    return {path.get("data-number"): path for path in doc.xpath("//svg//path[@data-number]")}


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(response.content))


def values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def assert_no_formulas(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
    for sheet in load_workbook(io.BytesIO(data)):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str) and cell.value.lstrip(" ").startswith(FORMULA_START):
                    assert cell.quotePrefix and cell.data_type == "s", repr(cell.value)


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def pdf_text(response: Any, tmp_path: Path) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(out.stdout.split())


# ------------------------------------------------------------------------------------------- outlines


def test_every_municipality_of_the_reference_data_has_an_outline() -> None:
    reference = Path(__file__).resolve().parents[2] / "organisations" / "data" / "kommuner-2024.csv"
    with reference.open(encoding="utf-8") as handle:
        numbers = {row["kommunenummer"]: row["navn"] for row in csv.DictReader(handle)}
    outlines = municipality_map.outlines()

    assert len(numbers) == 357
    assert {o.number for o in outlines.municipalities} == set(numbers)
    assert all(o.name == numbers[o.number] for o in outlines.municipalities)
    assert all(o.d.startswith("M") and o.d.endswith("z") for o in outlines.municipalities)
    assert "Kartverket" in outlines.licence and "CC BY 4.0" in outlines.licence
    assert municipality_map.outlines() is outlines  # read once, then cached


def test_the_map_data_is_small_and_has_its_source_note() -> None:
    assert municipality_map.MAP_FILE.stat().st_size < 150_000
    readme = (municipality_map.MAP_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "Kartverket" in readme and "build_municipality_map.py" in readme


def test_douglas_peucker_keeps_corners_and_drops_near_collinear_points() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_map", Path(__file__).resolve().parents[2] / "scripts" / "build_municipality_map.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.0), (3.0, 5.0)]
    assert module.douglas_peucker(line, 0.5) == [(0.0, 0.0), (3.0, 0.0), (3.0, 5.0)]
    assert module.douglas_peucker(line, 0.05) == line
    square = [(0, 0), (5, 0), (10, 0.2), (10, 10), (0, 10), (0, 0)]
    assert module.simplify_ring(square, 1) == [(0, 0), (10, 0.2), (10, 10), (0, 10)]
    assert module.path_data([[(1, 2), (4, 2), (4, -1)]]) == "M1 2l3 0 0-3z"


# ------------------------------------------------------------------------------------------------ map


def test_the_map_colours_every_municipality_by_status(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(MAP, {"as_of": "2027-03-09"}, headers=EN)

    assert response.status_code == 200
    body = response.content.decode()
    doc = lxml.html.fromstring(body)
    (svg,) = doc.xpath("//svg[@role='img']")
    assert svg.get("aria-labelledby") == "map-title map-desc"
    assert doc.xpath("//svg/title[@id='map-title']")[0].text == "Municipalities by signing status"
    description = doc.xpath("//svg/desc[@id='map-desc']")[0].text
    assert "357 municipalities as of 09.03.2027: 3 signed (filled), 2 not signed (hatched)" in description
    assert "352 not registered in the portal (dotted)" in description
    paths = svg_paths(response)
    assert len(paths) == 357
    assert all(len(path.xpath("./title")) == 1 for path in paths.values())
    status_of = {number: paths[number].get("data-status") for number in ("3411", "3405", "3407", "4601", "4640")}
    # Gjøvik signed at 00:30 on 10 March: not yet on the 9th.
    assert status_of == {
        "3411": "signed",
        "3405": "signed",
        "3407": "not_signed",
        "4601": "signed",
        "4640": "not_signed",
    }
    assert paths["3411"].xpath("./title")[0].text == "Ringsaker: signed 1 February 2027"
    assert paths["4640"].xpath("./title")[0].text == "Sogndal: Not signed"
    assert paths["0301"].xpath("./title")[0].text == "Oslo: Not registered in the portal"
    assert paths["3411"].get("fill") == "#00665a"
    assert paths["4640"].get("fill") == "url(#map-hatch)"
    assert paths["0301"].get("fill") == "url(#map-dots)"
    # The page stays small: the SVG, and the whole page.
    svg_markup = body[body.index("<svg") : body.index("</svg>")]
    assert len(svg_markup.encode()) < 400_000
    assert len(response.content) < 450_000


def test_the_legend_and_tables_carry_the_same_figures_in_words(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(MAP, {"as_of": "2027-03-09"}, headers=EN)

    text = page_text(response)
    assert "3 of 5 municipalities had signed the terms T1 as of 9 March 2027." in text
    doc = lxml.html.fromstring(response.content.decode())
    legend = [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='status-map__legend']/li")]
    assert legend == ["Signed: 3", "Not signed: 2", "Not registered in the portal: 352"]
    # Each swatch repeats the map's fill (colour + pattern) and is hidden from screen readers.
    swatches = doc.xpath("//ul[@class='status-map__legend']//svg")
    assert [s.get("aria-hidden") for s in swatches] == ["true"] * 3
    assert [s.xpath(".//rect")[0].get("fill") for s in swatches] == ["#00665a", "url(#map-hatch)", "url(#map-dots)"]
    header, counties = table(response, "map-counties-caption")
    assert header == ["County", "Signed", "Not signed", "Share"]
    assert counties == [["Innlandet", "2", "1", "67 %"], ["Vestland", "1", "1", "50 %"]]
    _header, municipalities = table(response, "map-municipalities-caption")
    assert municipalities == [
        ["Gjøvik", "Innlandet", "Digi Innlandet", "Not signed"],
        ["Lillehammer", "Innlandet", "Digi Innlandet", "Signed 08/03/2027"],
        ["Ringsaker", "Innlandet", "Digi Innlandet", "Signed 01/02/2027"],
        ["Bergen", "Vestland", "DigiVestland", "Signed 09/03/2027"],
        ["Sogndal", "Vestland", "Digi Sogn", "Not signed"],
    ]


def test_a_coordinator_sees_only_their_municipalities_on_the_map(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["coordinator_a"]).get(MAP, {"as_of": "2027-03-09"}, headers=EN)

    assert response.status_code == 200
    paths = svg_paths(response)
    assert {n: p.get("data-status") for n, p in paths.items() if p.get("data-status") != "outside"} == {
        "3411": "signed",
        "3405": "signed",
        "3407": "not_signed",
    }
    # Bergen signed and Sogndal did not: on the coordinator's map both are the same grey, named only.
    for number, name in (("4601", "Bergen"), ("4640", "Sogndal"), ("0301", "Oslo")):
        assert paths[number].get("fill") == "#d4d4d4"
        assert paths[number].xpath("./title")[0].text == f"{name}: Outside your Diginettverk"
    doc = lxml.html.fromstring(response.content.decode())
    legend = [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='status-map__legend']/li")]
    assert legend == ["Signed: 2", "Not signed: 1", "Not registered in the portal: 0", "Outside your Diginettverk: 354"]
    _header, counties = table(response, "map-counties-caption")
    assert counties == [["Innlandet", "2", "1", "67 %"]]
    text = page_text(response)
    for absent in ("Vestland", "DigiVestland", "Digi Sogn", "Bergen Legesenter"):
        assert absent not in text
    assert "Sogndal: Not signed" not in response.content.decode()


def test_the_map_without_published_terms_and_with_a_bad_date(clock: Any, world: Any, login: Any) -> None:
    client = login(world["membership_manager"])
    assert "No terms have been published yet." in page_text(client.get(MAP, headers=EN))

    client.raise_request_exception = False
    response = client.get(MAP, {"as_of": "9999-01-01"}, headers=EN)
    assert response.status_code == 200
    assert "as_of" in response.context["form"].errors


def test_the_status_page_links_to_the_map_the_xlsx_and_the_reports(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    response = login(world["membership_manager"]).get(reverse("dashboards:status"), {"as_of": "2027-03-09"})
    doc = lxml.html.fromstring(response.content.decode())
    hrefs = doc.xpath("//main//a/@href")
    query = f"version={version.pk}&as_of=2027-03-09"
    assert f"{MAP}?{query}" in hrefs
    assert f"{STATUS_XLSX}?{query}" in hrefs
    assert f"{report_url('county', '34')}?{query}" in hrefs
    assert f"{report_url('diginettverk', scene['digi_sogn'].pk)}?{query}" in hrefs
    missing = login(world["membership_manager"]).get(reverse("dashboards:missing"))
    assert f"{MISSING_XLSX}?version={version.pk}" in lxml.html.fromstring(missing.content.decode()).xpath("//a/@href")


# ----------------------------------------------------------------------------------------------- XLSX


def test_the_missing_xlsx_has_the_same_rows_as_the_csv(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any
) -> None:
    ReminderLog.objects.create(organisation=scene["sogndal"], terms_version=version, step="14")
    client = login(world["membership_manager"])

    response = client.get(MISSING_XLSX, headers=EN)
    rows = values(workbook(response)["Not signed"])
    csv_rows = read_csv(client.get(MISSING_CSV, headers=EN).content)

    assert response["Content-Disposition"] == 'attachment; filename="ikke-signert-T1.xlsx"'
    assert rows[0] == csv_rows[0]
    assert rows[1] == [
        "Bergen Legesenter AS",
        world.enterprise_b.org_number,
        "Limited company",
        "Vestland",
        None,
        None,
        None,
    ]
    assert [cell or "" for cell in rows[2][:6]] == csv_rows[2][:6]  # an empty cell reads back as None
    assert rows[2][6] == dt.datetime(2027, 3, 20, 10, 15)  # a real date-time cell, in Oslo time
    assert csv_rows[2][6] == "2027-03-20 10:15"
    assert_no_formulas(response.content)


def test_formula_cells_are_text_in_the_xlsx_and_neutralised_in_the_csv(
    version: TermsVersion, world: Any, login: Any
) -> None:
    organisations = {name: OrganisationFactory(name=name) for name in DANGEROUS_NAMES + HARMLESS_NAMES}
    client = login(world["membership_manager"])

    response = client.get(MISSING_XLSX, headers=EN)
    sheet = workbook(response)["Not signed"]
    by_number = {row[1].value: row[0] for row in sheet.iter_rows(min_row=2)}
    csv_by_number = {row[1]: row for row in read_csv(client.get(MISSING_CSV).content)}

    for name in DANGEROUS_NAMES:
        number = organisations[name].org_number
        cell = by_number[number]
        assert cell.value in (name, name.replace("\r", "\n")), repr(name)  # as typed, no apostrophe shown
        assert cell.quotePrefix and cell.data_type == "s", repr(name)  # Excel keeps it text when edited
        assert csv_by_number[number][0] == "'" + name
    for name in HARMLESS_NAMES:
        assert by_number[organisations[name].org_number].value == name
    assert_no_formulas(response.content)


def test_the_status_xlsx_has_every_figure_table(scene: dict[str, Any], world: Any, login: Any) -> None:
    response = login(world["membership_manager"]).get(
        STATUS_XLSX, {"as_of": "2027-03-10", "compare": "2027-03-01"}, headers=EN
    )

    book = workbook(response)
    assert response["Content-Disposition"] == 'attachment; filename="status-T1-2027-03-10.xlsx"'
    assert book.sheetnames == [
        "Status",
        "Per Diginettverk",
        "Per county",
        "Per organisation form",
        "Progress",
        "Municipalities",
    ]
    summary = dict(values(book["Status"])[1:])
    assert summary["Municipalities signed"] == 4 and summary["Municipalities that must sign"] == 5
    assert summary["Share (%)"] == 80
    assert summary["As of"] == dt.datetime(2027, 3, 10)
    assert values(book["Per Diginettverk"]) == [
        ["Diginettverk", "Signed", "Total", "Share (%)", "Signed on 01/03/2027", "Change"],
        ["Digi Innlandet", 3, 3, 100, 1, 2],
        ["Digi Sogn", 0, 1, 0, 0, 0],
        ["DigiVestland", 1, 1, 100, 0, 1],
    ]
    assert values(book["Per county"])[1:] == [["Innlandet", 3, 3, 100, 1, 2], ["Vestland", 1, 2, 50, 0, 1]]
    assert values(book["Per organisation form"])[1:] == [["Limited company", 0, 1, 0], ["Municipality", 4, 5, 80]]
    progress = values(book["Progress"])
    assert progress[1] == [dt.datetime(2027, 1, 15), 0] and progress[-1] == [dt.datetime(2027, 3, 10), 4]
    municipalities = values(book["Municipalities"])
    assert municipalities[0] == ["Municipality number", "Municipality", "County", "Diginettverk", "Status", "Signed"]
    assert [row[:5] for row in municipalities[1:]] == [
        ["3407", "Gjøvik", "Innlandet", "Digi Innlandet", "Signed"],
        ["3405", "Lillehammer", "Innlandet", "Digi Innlandet", "Signed"],
        ["3411", "Ringsaker", "Innlandet", "Digi Innlandet", "Signed"],
        ["4601", "Bergen", "Vestland", "DigiVestland", "Signed"],
        ["4640", "Sogndal", "Vestland", "Digi Sogn", "Not signed"],
    ]
    assert municipalities[1][5] == dt.datetime(2027, 3, 10, 0, 30)
    assert_no_formulas(response.content)


def test_a_coordinators_xlsx_exports_have_only_their_network(version: TermsVersion, world: Any, login: Any) -> None:
    for name in DANGEROUS_NAMES:
        OrganisationFactory(name=name)
    client = login(world["coordinator_a"])

    missing = values(workbook(client.get(MISSING_XLSX, headers=EN))["Not signed"])
    book = workbook(client.get(STATUS_XLSX, headers=EN))

    assert [row[0] for row in missing[1:]] == ["Ringsaker"]
    assert [row[1] for row in values(book["Municipalities"])[1:]] == ["Ringsaker"]
    assert values(book["Per county"])[1:] == [["Innlandet", 0, 1, 0]]
    everything = " ".join(str(cell) for sheet in book for row in values(sheet) for cell in row)
    for absent in ("Bergen", "Vestland", "HYPERLINK", world.org_b.org_number):
        assert absent not in everything


def test_xlsx_exports_refuse_members_and_need_published_terms(clock: Any, world: Any, login: Any) -> None:
    assert login(world["admin_a"]).get(MISSING_XLSX).status_code == 403
    assert login(world["admin_a"]).get(STATUS_XLSX).status_code == 403
    assert login(world["membership_manager"]).get(MISSING_XLSX).status_code == 404
    assert login(world["membership_manager"]).get(STATUS_XLSX).status_code == 404


# ------------------------------------------------------------------------------------------------ PDF


@needs_pdftotext
def test_the_county_report_has_the_figures_and_who_has_not_signed(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any, tmp_path: Path
) -> None:
    ReminderLog.objects.create(organisation=scene["sogndal"], terms_version=version, step="14")
    client = login(world["membership_manager"])

    innlandet = pdf_text(client.get(report_url("county", "34"), {"as_of": "2027-03-09"}, headers=EN), tmp_path)
    vestland_response = client.get(report_url("county", "46"), {"as_of": "2027-03-09"}, headers=EN)
    vestland = pdf_text(vestland_response, tmp_path)

    assert "Status report: Innlandet" in innlandet
    assert "Membership terms T1, deadline 31 March 2027. Figures as of the end of 9 March 2027." in innlandet
    assert "2 of 3 municipalities have signed (67 %) as of 9 March 2027." in innlandet
    assert "Digi Innlandet 2 3 67 %" in innlandet  # the breakdown per Diginettverk
    assert "Not signed (1)" in innlandet
    assert "Gjøvik" in innlandet
    for absent in ("Ringsaker 9", "Sogndal", "Bergen"):
        assert absent not in innlandet
    assert vestland_response["Content-Disposition"] == 'attachment; filename="statusrapport-county-46-2027-03-09.pdf"'
    assert "1 of 2 municipalities have signed (50 %)" in vestland
    assert "Not signed (2)" in vestland  # Sogndal and the AS in Bergen
    assert "Bergen Legesenter AS" in vestland and "Sogndal" in vestland
    assert "solveig@sogndal.example.no" in vestland and "sindre@sogndal.example.no" in vestland
    assert "gone@sogndal.example.no" not in vestland  # deactivated: no contact
    assert "20/03/2027" in vestland  # Sogndal's last reminder
    assert "Limited company 0 1 0" in vestland  # pdftotext may join "0 %"


@needs_pdftotext
def test_the_diginettverk_report_and_the_as_of_day(
    scene: dict[str, Any], version: TermsVersion, world: Any, login: Any, tmp_path: Path
) -> None:
    client = login(world["membership_manager"])
    network = world.municipality_a.diginettverk_id

    before = pdf_text(client.get(report_url("diginettverk", network), {"as_of": "2027-03-01"}, headers=EN), tmp_path)
    after = pdf_text(client.get(report_url("diginettverk", network), {"as_of": "2027-03-10"}, headers=EN), tmp_path)

    assert "Status report: Digi Innlandet" in before
    assert "1 of 3 municipalities have signed (33 %) as of 1 March 2027." in before
    assert "Innlandet 1 3 33 %" in before  # the breakdown per county
    assert "Not signed (2)" in before and "Lillehammer" in before and "Gjøvik" in before
    assert "3 of 3 municipalities have signed (100 %)" in after
    assert "Everyone has signed." in after and "Everyone here had signed." in after


@needs_pdftotext
def test_names_with_markup_appear_literally_in_the_report(
    version: TermsVersion, world: Any, login: Any, tmp_path: Path
) -> None:
    OrganisationFactory(name="<b>Fet</b> & Co AS", address_municipality=world.municipality_a)

    text = pdf_text(login(world["membership_manager"]).get(report_url("county", "34"), headers=EN), tmp_path)

    assert "<b>Fet</b> & Co AS" in text


@needs_pdftotext
def test_a_coordinator_gets_reports_only_for_their_municipalities(
    scene: dict[str, Any], world: Any, login: Any, tmp_path: Path
) -> None:
    client = login(world["coordinator_a"])

    text = pdf_text(client.get(report_url("county", "34"), headers=EN), tmp_path)

    assert "3 of 3 municipalities have signed" in text
    assert client.get(report_url("county", "46")).status_code == 404
    assert client.get(report_url("diginettverk", world.municipality_b.diginettverk_id)).status_code == 404
    assert client.get(report_url("diginettverk", scene["digi_sogn"].pk)).status_code == 404
    assert client.get(report_url("diginettverk", world.municipality_a.diginettverk_id)).status_code == 200


@pytest.mark.parametrize(
    ("group", "key"),
    [
        ("county", "99"),
        ("county", "abc"),
        ("diginettverk", "999999"),
        ("diginettverk", "abc"),
        ("fylke", "34"),
        ("diginettverk", "1" * 30),
        ("diginettverk", "-1"),
        ("diginettverk", "١"),
    ],
)
def test_an_unknown_group_is_a_404(scene: dict[str, Any], world: Any, login: Any, group: str, key: str) -> None:
    client = login(world["membership_manager"])
    client.raise_request_exception = False
    assert client.get(report_url(group, key)).status_code == 404


def test_members_may_not_download_reports(scene: dict[str, Any], world: Any, login: Any) -> None:
    from django.test import Client

    assert login(world["admin_a"]).get(report_url("county", "34")).status_code == 403
    response = Client().get(report_url("county", "34"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_report_is_scoped_by_organisation_not_only_by_group(scene: dict[str, Any], version: TermsVersion) -> None:
    """Group.organisations narrows the given scope: a county's report never reaches outside it."""
    from dashboards.reports import find_group

    county = find_group("county", "46")
    network = find_group("diginettverk", str(scene["digi_sogn"].pk))
    assert county is not None and network is not None
    assert sorted(county.organisations(Organisation.objects.all()).values_list("name", flat=True)) == [
        "Bergen",
        "Bergen Legesenter AS",
        "Sogndal",
    ]
    assert list(network.organisations(Organisation.objects.all()).values_list("name", flat=True)) == ["Sogndal"]
    assert oslo(2027, 1, 1).tzinfo is not None


@needs_pdftotext
def test_a_long_list_in_the_report_is_cut_and_says_so(
    version: TermsVersion, world: Any, login: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dashboards.reports.REPORT_LIST_LIMIT", 2)
    for index in range(3):
        OrganisationFactory(name=f"Innlandsklinikk {index} AS", address_municipality=world.municipality_a)

    text = pdf_text(login(world["membership_manager"]).get(report_url("county", "34"), headers=EN), tmp_path)

    assert "Not signed (4)" in text  # Ringsaker and the three clinics
    assert "The first 2 of 4 are listed here; the complete list is in the XLSX or CSV export" in text
    assert "Innlandsklinikk 0 AS" in text and "Innlandsklinikk 1 AS" in text
    assert "Innlandsklinikk 2 AS" not in text and "Ringsaker 9" not in text

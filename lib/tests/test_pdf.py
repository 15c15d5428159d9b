"""lib.pdf: fonts, literal text, signature page, page numbers and deterministic output (checked with poppler)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lib.pdf import AUTHOR, FONT_DIR, markdown_to_html, render_markdown_pdf, render_table_pdf

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
    reason="poppler-utils (pdftotext, pdfinfo) is not installed",
)

NORWEGIAN = "Æ Ø Å æ ø å"
SAMI = "Kárášjohka á č đ ŋ š ŧ ž"

BODY = f"""Innledende tekst med **fet skrift**, *kursiv* og {NORWEGIAN}.

Samisk: {SAMI}.

## Plikter

- Medlemmet skal følge <b>not bold</b> & vilkårene
- Se [Norsk helsenett](https://www.nhn.no) for mer
    - et nøstet punkt

Nummerert:

1. Første
2. Andre

<script>alert("x")</script> og &amp; står som tekst.
"""


def _write(tmp_path: Path, pdf: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(path)], check=True, capture_output=True, text=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def _page_number(page_text: str) -> tuple[int, int]:
    """The "n / N" of a page (pdftotext may drop the spaces around the slash)."""
    found = re.findall(r"^(\d+) ?/ ?(\d+)$", page_text, flags=re.MULTILINE)
    assert len(found) == 1, found
    return int(found[0][0]), int(found[0][1])


def _render(**overrides) -> bytes:
    kwargs = {
        "title": "Medlemsavtale for Helsenettet",
        "sections": [("1. Formål", BODY), ("2. Varighet", "Avtalen gjelder fra signering.\n\n" + "Tekst. " * 600)],
        "signature_page": [("Signert av", "Kari Nordmann"), ("Organisasjon", "Kárášjoga gielda <Karasjok>")],
        "signature_page_title": "Signaturside",
        "footer": "Medlemsavtale – versjon 3",
        "metadata": {"DocumentId": "agreement-42", "keywords": "medlemsavtale, helsenett"},
    }
    kwargs.update(overrides)
    return render_markdown_pdf(**kwargs)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, str]:
    path = _write(tmp_path_factory.mktemp("pdf"), _render())
    return path, _text(path)


def test_vendored_fonts_and_licence_are_present():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (FONT_DIR / name).is_file(), name
    assert "Bitstream" in (FONT_DIR / "LICENSE-DejaVu.txt").read_text()


def test_norwegian_and_sami_letters_survive(rendered):
    _, text = rendered
    assert NORWEGIAN in text
    assert "Kárášjohka" in text
    assert "á č đ ŋ š ŧ ž" in text


def test_fonts_are_embedded(rendered):
    path, _ = rendered
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert "DejaVuSans" in fonts
    assert "DejaVuSans-Bold" in fonts
    # Every font is embedded (column "emb" is "yes"): no fallback to a base-14 font without æøå.
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in row for row in rows)


def test_markup_in_content_appears_literally(rendered):
    _, text = rendered
    assert "<b>not bold</b> & vilkårene" in text
    assert '<script>alert("x")</script> og &amp; står som tekst.' in text
    assert "Kárášjoga gielda <Karasjok>" in text


def test_markup_in_title_heading_and_footer_is_literal(tmp_path):
    pdf = _render(
        title="Vilkår & <betingelser>",
        sections=[("<i>Overskrift</i> & mer", "Tekst")],
        footer="Fot <b>& mer</b>",
    )
    text = _text(_write(tmp_path, pdf))
    assert "Vilkår & <betingelser>" in text
    assert "<i>Overskrift</i> & mer" in text
    assert "Fot <b>& mer</b>" in text


def test_markdown_subset_becomes_text(rendered):
    _, text = rendered
    assert "fet skrift" in text and "**" not in text
    assert "kursiv" in text
    assert "• Medlemmet skal følge" in text
    assert "Norsk helsenett (https://www.nhn.no)" in text  # links are shown as text
    assert "1. Første" in text and "2. Andre" in text
    assert "Plikter" in text and "##" not in text


def test_markdown_html_keeps_raw_html_and_entities_as_text():
    html = markdown_to_html('<div onclick="x">hei</div>\n\nA &amp; B <em>x</em>')
    assert "<div" not in html and "<em>x" not in html
    assert "&lt;div" in html


def test_sections_start_with_their_heading(rendered):
    _, text = rendered
    first, second = text.index("1. Formål"), text.index("2. Varighet")
    assert first < text.index("Innledende tekst") < second < text.index("Avtalen gjelder fra signering")


def test_signature_page_is_last_page_with_its_table(rendered):
    path, text = rendered
    pages = text.split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) == int(_info(path)["Pages"])
    last = pages[-1]
    assert "Signaturside" in last
    assert "Signert av" in last and "Kari Nordmann" in last
    assert "Organisasjon" in last
    assert "Kárášjoga gielda <Karasjok>" in last
    assert "Signaturside" not in "".join(pages[:-1])


def test_page_numbers_and_footer_on_every_page(rendered):
    path, text = rendered
    total = int(_info(path)["Pages"])
    assert total >= 3
    pages = [page for page in text.split("\f") if page.strip()]
    for number, page in enumerate(pages, start=1):
        assert _page_number(page) == (number, total)
        assert "Medlemsavtale – versjon 3" in page


def test_metadata(rendered):
    path, _ = rendered
    info = _info(path)
    assert info["Title"] == "Medlemsavtale for Helsenettet"
    assert info["Author"] == AUTHOR
    assert info["Subject"] == "Medlemsavtale for Helsenettet"
    assert info["Keywords"] == "medlemsavtale, helsenett"
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    custom = subprocess.run(
        ["pdfinfo", "-custom", "-enc", "UTF-8", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"DocumentId:\s+agreement-42", custom)


def test_bad_metadata_key_is_refused():
    with pytest.raises(ValueError, match="metadata key"):
        _render(metadata={"bad key/(x)": "v"})


def test_output_is_deterministic():
    assert _render() == _render()
    assert render_table_pdf(title="T", intro="I", columns=["a"], rows=[["1"]]) == render_table_pdf(
        title="T", intro="I", columns=["a"], rows=[["1"]]
    )


def test_output_is_deterministic_across_processes():
    script = (
        "import sys, hashlib; sys.path.insert(0, '.');"
        "from lib.tests.test_pdf import _render; print(hashlib.sha256(_render()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    digest = subprocess.run([sys.executable, "-c", script], cwd=root, check=True, capture_output=True, text=True)
    assert digest.stdout.strip() == hashlib.sha256(_render()).hexdigest()


def test_different_content_gives_different_output():
    assert _render() != _render(footer="Annen fot")


def test_without_signature_page(tmp_path):
    path = _write(tmp_path, _render(signature_page=None, sections=[("Kort", "Bare én side.")]))
    assert _info(path)["Pages"] == "1"
    text = _text(path)
    assert "Signaturside" not in text
    assert _page_number(text) == (1, 1)


def test_table_report_repeats_header_and_wraps(tmp_path):
    rows = [
        [
            f"2026-01-{day % 28 + 1:02d} 12:{day % 60:02d}",
            "Avtalen ble signert elektronisk av Kåre Ødegård etter innlogging med ID-porten " * 2,
            "Kárášjoga gielda",
            "a" * 64,
        ]
        for day in range(70)
    ]
    pdf = render_table_pdf(
        title="Revisjonsbevis",
        intro="Hendelser for avtale 42 & <vedlegg>.",
        columns=["Tidspunkt", "Hendelse", "Organisasjon", "SHA-256"],
        rows=rows,
        footer="Revisjonsbevis – avtale 42",
    )
    path = _write(tmp_path, pdf)
    total = int(_info(path)["Pages"])
    assert total >= 2
    pages = [page for page in _text(path).split("\f") if page.strip()]
    assert len(pages) == total
    for number, page in enumerate(pages, start=1):
        assert "Tidspunkt" in page and "Hendelse" in page and "SHA-256" in page  # header row repeated
        assert _page_number(page) == (number, total)
    text = "".join(pages)
    assert "Hendelser for avtale 42 & <vedlegg>." in text
    # Words fit their columns unbroken (only the 64-character hash is split); the long event text wraps.
    assert "Kárášjoga" in text and "gielda" in text
    assert "2026-01-01" in text and "Organisasjon" in text
    assert "Avtalen ble signert elektronisk av Kåre Ødegård etter innlogging med ID-porten " * 2 not in text


def test_table_report_checks_row_shape():
    with pytest.raises(ValueError, match="Row 0"):
        render_table_pdf(title="T", intro="", columns=["a", "b"], rows=[["only one"]])

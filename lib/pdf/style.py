"""Fonts, paragraph styles and escaping of literal text for reportlab's Paragraph mini-markup."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Paragraph,
)

AUTHOR = "Medlemsportal – Norsk helsenett"
CREATOR = "Medlemsportal"
LANGUAGE = "nb-NO"
FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN_X = 20 * mm
_MARGIN_TOP = 20 * mm
_MARGIN_BOTTOM = 22 * mm  # room for the footer
_FOOTER_SIZE = 8
_INK = colors.HexColor("#1f2933")
_MUTED = colors.HexColor("#52606d")
_RULE = colors.HexColor("#9aa5b1")
_HEADER_FILL = colors.HexColor("#e4e7eb")

_fonts_lock = threading.Lock()
_fonts_registered = False


def register_fonts() -> None:
    """Register the vendored DejaVu Sans faces (regular, bold, oblique, bold oblique) with reportlab, once."""
    global _fonts_registered
    with _fonts_lock:
        if _fonts_registered:
            return
        faces = {
            FONT: "DejaVuSans.ttf",
            FONT_BOLD: "DejaVuSans-Bold.ttf",
            FONT_ITALIC: "DejaVuSans-Oblique.ttf",
            FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
        }
        for name, filename in faces.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        _fonts_registered = True


# --------------------------------------------------------------------------------------------------------------------
# Styles


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "Body", fontName=FONT, fontSize=10, leading=14, textColor=_INK, alignment=TA_LEFT, spaceAfter=6
    )

    def derive(name: str, **kwargs: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kwargs)

    return {
        "body": base,
        "title": derive("Title", fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=12),
        "section": derive("Section", fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=12, spaceAfter=6),
        "h1": derive("H1", fontName=FONT_BOLD, fontSize=12.5, leading=16, spaceBefore=8, spaceAfter=4),
        "h2": derive("H2", fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=4),
        "h3": derive("H3", fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=3),
        "list": derive("ListBody", spaceAfter=2),
        "quote": derive("Quote", leftIndent=12, textColor=_MUTED),
        "code": derive("Code", fontSize=9, leading=12, leftIndent=8, textColor=_INK),
        "cell": derive("Cell", fontSize=8.5, leading=11, spaceAfter=0),
        "cell_head": derive("CellHead", fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceAfter=0),
        "sig_label": derive("SigLabel", fontName=FONT_BOLD, spaceAfter=0),
        "sig_value": derive("SigValue", spaceAfter=0),
    }


def _style(name: str) -> ParagraphStyle:
    register_fonts()
    return _styles()[name]


# --------------------------------------------------------------------------------------------------------------------
# Escaping


def escape_text(text: str) -> str:
    """Escape plain text for reportlab's Paragraph mini-markup (``&``, ``<`` and ``>``), keeping it literal."""
    return _xml_escape(text)


def _plain_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph whose text is shown literally; line breaks in ``text`` are kept."""
    return Paragraph("<br/>".join(escape_text(line) for line in text.splitlines()) or "", style)

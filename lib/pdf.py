"""Render documents to PDF with reportlab: Markdown sections (terms, agreements) and simple table reports.

Two entry points, both returning the PDF as bytes:

* :func:`render_markdown_pdf` – a titled A4 document made of ``(heading, markdown)`` sections and an optional
  signature page with a two-column table of ``(label, value)`` rows.
* :func:`render_table_pdf` – a titled A4 report with an intro paragraph and a table whose header row repeats on
  every page (e.g. the audit certificate listing the events of a signing).

Text is set in the vendored DejaVu Sans (``lib/fonts``) so Norwegian and Sami letters render. Every page carries
the footer text and "n / N". Output is deterministic: reportlab's invariant mode fixes the creation date
(2000-01-01, or ``SOURCE_DATE_EPOCH`` if set in the environment) and the document ID, so the same input gives
byte-identical PDFs.

Markdown is converted with the ``markdown`` package to HTML, and the HTML is walked with the stdlib
``html.parser`` into platypus flowables. Raw HTML and character entities in the Markdown source are *not*
interpreted: ``<script>`` or ``&amp;`` written by a user appear literally in the PDF. Every piece of text is escaped
before it reaches reportlab's Paragraph mini-markup.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import markdown
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

__all__ = [
    "AUTHOR",
    "FONT_DIR",
    "ReportSection",
    "register_fonts",
    "render_markdown_pdf",
    "render_report_pdf",
    "render_table_pdf",
]

AUTHOR = "Medlemsportal – Norsk helsenett"
CREATOR = "Medlemsportal"
LANGUAGE = "nb-NO"
FONT_DIR = Path(__file__).resolve().parent / "fonts"

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


# --------------------------------------------------------------------------------------------------------------------
# Markdown → HTML → tree


_markdown_lock = threading.Lock()


# Stands in for "&" while Markdown runs. Python-Markdown keeps anything that looks like an entity ("&amp;",
# "&lt;") as an entity, so a user's literal "&amp;" would print as "&"; with no "&" in its input it cannot.
# A noncharacter, so it never occurs in real text (any occurrence in the input is replaced first).
_AMPERSAND = "\ufdd0"


@functools.cache
def _markdown_converter() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[], output_format="html")
    # Raw HTML written in the Markdown is content, not markup: without these processors the serializer
    # escapes "<", so "<script>" comes out as the literal text the user typed.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("entity")
    return md


def markdown_to_html(text: str) -> str:
    """Convert the Markdown subset to HTML without passing raw HTML or entities through.

    "&" in the result is escaped as usual, except that ``_AMPERSAND`` stands for each "&" of the source;
    :func:`markdown_flowables` turns it back after parsing the HTML.
    """
    source = text.replace(_AMPERSAND, "\ufffd").replace("&", _AMPERSAND)
    with _markdown_lock:  # a Markdown instance is stateful and not thread-safe
        md = _markdown_converter()
        try:
            html: str = md.convert(source)
            return html
        finally:
            md.reset()


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Element | str] = field(default_factory=list)


_VOID_TAGS = {"br", "hr", "img"}


class _TreeBuilder(HTMLParser):
    """Build a small element tree from the (trusted, well-formed) HTML that ``markdown`` produces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("root")
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, _attributes(attrs))
        self._stack[-1].children.append(element)
        if tag not in _VOID_TAGS:
            self._stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack[-1].children.append(_Element(tag, _attributes(attrs)))

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching open element; ignore stray end tags.
        for index in range(len(self._stack) - 1, 0, -1):
            if self._stack[index].tag == tag:
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self._stack[-1].children.append(data.replace(_AMPERSAND, "&"))


def _attributes(attrs: list[tuple[str, str | None]]) -> dict[str, str]:
    return {key: (value or "").replace(_AMPERSAND, "&") for key, value in attrs}


def _parse_html(html: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------------------------------------------------
# Tree → flowables

_HEADING_STYLES = {"h1": "h1", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3"}
_BLOCK_TAGS = {"p", "ul", "ol", "blockquote", "pre", "hr", "div", *_HEADING_STYLES}
_WHITESPACE = re.compile(r"\s+")


def _text_content(node: _Element | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "img":
        return node.attrs.get("alt", "")
    return "".join(_text_content(child) for child in node.children)


def _inline_markup(nodes: Iterable[_Element | str]) -> str:
    """Reportlab Paragraph markup for inline content; all text is escaped."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape_text(_WHITESPACE.sub(" ", node)))
            continue
        tag = node.tag
        if tag in ("strong", "b"):
            parts.append(f"<b>{_inline_markup(node.children)}</b>")
        elif tag in ("em", "i"):
            parts.append(f"<i>{_inline_markup(node.children)}</i>")
        elif tag == "br":
            parts.append("<br/>")
        elif tag == "img":
            parts.append(escape_text(node.attrs.get("alt", "")))
        elif tag == "a":
            # Links are shown as text; the target is printed after the text when it differs from it.
            label = _inline_markup(node.children)
            href = node.attrs.get("href", "").strip()
            href_plain = href.removeprefix("mailto:")
            if href and href_plain != _text_content(node).strip():
                parts.append(f"{label} ({escape_text(href_plain)})")
            else:
                parts.append(label)
        else:  # code, span and anything unexpected: keep the text, drop the element
            parts.append(_inline_markup(node.children))
    return "".join(parts)


def _paragraph(nodes: list[_Element | str], style: ParagraphStyle) -> Paragraph | None:
    markup = _inline_markup(nodes).strip()
    if not markup:
        return None
    return Paragraph(markup, style)


def _block_flowables(nodes: list[_Element | str], *, inline_style: ParagraphStyle) -> list[Flowable]:
    """Flowables for a mix of block and inline nodes; runs of inline nodes become paragraphs."""
    flowables: list[Flowable] = []
    inline_run: list[_Element | str] = []

    def flush() -> None:
        if inline_run:
            paragraph = _paragraph(inline_run, inline_style)
            if paragraph is not None:
                flowables.append(paragraph)
            inline_run.clear()

    for node in nodes:
        if isinstance(node, _Element) and node.tag in _BLOCK_TAGS:
            flush()
            flowables.extend(_block(node))
        else:
            inline_run.append(node)
    flush()
    return flowables


def _block(element: _Element) -> list[Flowable]:
    tag = element.tag
    if tag in _HEADING_STYLES:
        paragraph = _paragraph(element.children, _style(_HEADING_STYLES[tag]))
        if paragraph is None:
            return []
        paragraph.keepWithNext = True
        return [paragraph]
    if tag == "p":
        paragraph = _paragraph(element.children, _style("body"))
        return [paragraph] if paragraph is not None else []
    if tag in ("ul", "ol"):
        return [_list(element)]
    if tag == "blockquote":
        return _block_flowables(element.children, inline_style=_style("quote"))
    if tag == "pre":
        return [Preformatted(_text_content(element).rstrip("\n"), _style("code"))]
    if tag == "hr":
        return [HRFlowable(width="100%", thickness=0.5, color=_RULE, spaceBefore=4, spaceAfter=8)]
    return _block_flowables(element.children, inline_style=_style("body"))


def _list(element: _Element) -> ListFlowable:
    ordered = element.tag == "ol"
    items: list[ListItem] = []
    for child in element.children:
        if not isinstance(child, _Element) or child.tag != "li":
            continue  # whitespace between items
        content = _block_flowables(child.children, inline_style=_style("list")) or [Paragraph("", _style("list"))]
        items.append(ListItem(content))
    start = element.attrs.get("start", "1")
    return ListFlowable(
        items,
        bulletType="1" if ordered else "bullet",
        bulletFormat="%s." if ordered else None,
        start=int(start) if ordered and start.isdigit() else (1 if ordered else "•"),
        bulletFontName=FONT,
        bulletFontSize=10,
        leftIndent=16,
        bulletDedent=12,
        spaceAfter=6,
    )


def markdown_flowables(text: str) -> list[Flowable]:
    """Platypus flowables for a Markdown body (headings, paragraphs, emphasis, lists, links as text)."""
    register_fonts()
    tree = _parse_html(markdown_to_html(text))
    return _block_flowables(tree.children, inline_style=_style("body"))


# --------------------------------------------------------------------------------------------------------------------
# Canvas: footer, page numbers, metadata

_PDF_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_STANDARD_INFO_KEYS = {"title", "author", "subject", "keywords", "creator"}


class _Info(PDFInfo):  # type: ignore[misc]  # reportlab ships no type information
    """The document information dictionary, with extra (custom) keys."""

    def __init__(self, extra: dict[str, str]) -> None:
        super().__init__()
        self.extra = extra

    def digest(self, md5object: Any) -> None:  # feeds the invariant document ID
        super().digest(md5object)
        for key, value in sorted(self.extra.items()):
            md5object.update(f"{key}={value}".encode())

    def format(self, document: Any) -> bytes:
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Keywords": PDFString(self.keywords),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "Trapped": PDFName(self.trapped),
        }
        entries["CreationDate"] = entries["ModDate"] = PDFDate(
            ts=document._timeStamp, dateFormatter=self._dateFormatter
        )
        for key, value in sorted(self.extra.items()):
            entries[key] = PDFString(value)
        formatted: bytes = PDFDictionary(entries).format(document)
        return formatted


class _PageDecoratingCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type information
    """Draws the footer and "n / N" on every page once the page count is known (pages are held until save)."""

    def __init__(self, *args: Any, footer: str = "", info_extra: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held_pages: list[dict[str, Any]] = []
        self._doc.info = _Info(dict(info_extra or {}))

    def showPage(self) -> None:  # reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, _FOOTER_SIZE)
        self.setFillColor(_MUTED)
        self.setStrokeColor(_RULE)
        self.setLineWidth(0.5)
        rule_y = _MARGIN_BOTTOM - 6 * mm
        self.line(_MARGIN_X, rule_y, _PAGE_WIDTH - _MARGIN_X, rule_y)
        number = f"{self._pageNumber} / {total}"
        number_width = pdfmetrics.stringWidth(number, FONT, _FOOTER_SIZE)
        self.drawRightString(_PAGE_WIDTH - _MARGIN_X, rule_y - 4 * mm, number)
        if self._footer:
            available = _PAGE_WIDTH - 2 * _MARGIN_X - number_width - 8 * mm
            lines = simpleSplit(" ".join(self._footer.split()), FONT, _FOOTER_SIZE, available)[:2]
            y = rule_y - 4 * mm
            for line in lines:
                self.drawString(_MARGIN_X, y, line)
                y -= _FOOTER_SIZE + 2
        self.restoreState()


def _split_metadata(metadata: dict[str, str] | None) -> tuple[dict[str, str], dict[str, str]]:
    """Split caller metadata into standard info fields (lower-case keys) and validated custom keys."""
    standard: dict[str, str] = {}
    extra: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        if key.lower() in _STANDARD_INFO_KEYS:
            standard[key.lower()] = str(value)
        elif _PDF_NAME.match(key):
            extra[key] = str(value)
        else:
            raise ValueError(f"PDF metadata key {key!r} must be letters, digits, '-' or '_', starting with a letter.")
    return standard, extra


def _build(
    story: list[Flowable],
    *,
    title: str,
    footer: str,
    metadata: dict[str, str] | None,
) -> bytes:
    register_fonts()
    standard, extra = _split_metadata(metadata)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=standard.get("title", title),
        author=standard.get("author", AUTHOR),
        subject=standard.get("subject", title),
        keywords=standard.get("keywords", ""),
        creator=standard.get("creator", CREATOR),
        lang=LANGUAGE,
        invariant=1,
        pageCompression=1,
        initialFontName=FONT,
    )
    canvasmaker: Callable[..., Canvas] = functools.partial(_PageDecoratingCanvas, footer=footer, info_extra=extra)
    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# Public API


def render_markdown_pdf(
    *,
    title: str,
    sections: list[tuple[str, str]],
    signature_page: list[tuple[str, str]] | None = None,
    signature_page_title: str = "",
    footer: str = "",
    metadata: dict[str, str] | None = None,
) -> bytes:
    """Render an A4 PDF of titled Markdown sections, optionally ending with a signature page.

    ``sections`` are ``(heading, markdown body)`` pairs; each section starts with its heading. The Markdown subset
    is headings (``#``–``###``), paragraphs, ``**bold**``/``*italic*``, bullet (``- ``) and numbered (``1. ``)
    lists and links (shown as text followed by the address). Raw HTML in the Markdown is shown literally.

    ``signature_page`` adds a final page titled ``signature_page_title`` with a two-column table of
    ``(label, value)`` rows. ``footer`` is printed on every page next to "n / N".

    ``metadata`` sets PDF document information: the keys ``title``, ``author``, ``subject``, ``keywords`` and
    ``creator`` (any case) override the standard fields (title defaults to ``title``, author to
    "Medlemsportal – Norsk helsenett", subject to ``title``); any other key (letters, digits, ``-``, ``_``) is added
    as a custom entry. Custom entries also feed the document ID, so give each document an identifying entry if the
    IDs should differ between documents with the same title.
    """
    register_fonts()
    story: list[Flowable] = [_plain_paragraph(title, _style("title"))]
    for heading, body in sections:
        heading_paragraph = _plain_paragraph(heading, _style("section"))
        heading_paragraph.keepWithNext = True
        story.append(heading_paragraph)
        story.extend(markdown_flowables(body))

    if signature_page is not None:
        story.append(PageBreak())
        if signature_page_title:
            story.append(_plain_paragraph(signature_page_title, _style("title")))
        story.append(_signature_table(signature_page))

    return _build(story, title=title, footer=footer, metadata=metadata)


def _signature_table(rows: list[tuple[str, str]]) -> Flowable:
    if not rows:
        return Spacer(0, 0)
    width = _PAGE_WIDTH - 2 * _MARGIN_X
    data = [
        [_plain_paragraph(label, _style("sig_label")), _plain_paragraph(value, _style("sig_value"))]
        for label, value in rows
    ]
    table = Table(data, colWidths=[width * 0.35, width * 0.65], splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else the table sets Helvetica (never embedded)
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, _RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def render_table_pdf(
    *,
    title: str,
    intro: str,
    columns: list[str],
    rows: list[list[str]],
    footer: str = "",
) -> bytes:
    """Render an A4 report: a heading, an intro paragraph and a table whose header row repeats on every page.

    All text is shown literally (no markup); long cell text wraps, and very long words (hashes, IDs) are split.
    Column widths follow the length of each column's content, within bounds.
    """
    if not columns:
        raise ValueError("render_table_pdf needs at least one column.")
    for index, row in enumerate(rows):
        if len(row) != len(columns):
            raise ValueError(f"Row {index} has {len(row)} cells, expected {len(columns)}.")
    register_fonts()
    table = _data_table(columns, rows)
    story: list[Flowable] = [
        _plain_paragraph(title, _style("title")),
        KeepTogether(_intro_paragraphs(intro)),
        Spacer(0, 4 * mm),
        table,
    ]
    return _build(story, title=title, footer=footer, metadata=None)


def _data_table(columns: list[str], rows: list[list[str]]) -> Table:
    """A table of literal text whose header row repeats on every page (shared by the table reports)."""
    head = [_plain_paragraph(column, _style("cell_head")) for column in columns]
    body = [[_plain_paragraph(str(cell), _style("cell")) for cell in row] for row in rows]
    table = Table([head, *body], colWidths=_column_widths(columns, rows), repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else the table sets Helvetica (never embedded)
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, _INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, _RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


@dataclass(frozen=True)
class ReportSection:
    """One section of :func:`render_report_pdf`: a heading, paragraphs of text, and an optional table.

    ``empty_text`` is printed instead of the table when ``rows`` is empty (e.g. "Everyone has signed.")."""

    heading: str
    text: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    empty_text: str = ""


def render_report_pdf(
    *,
    title: str,
    intro: str,
    sections: list[ReportSection],
    footer: str = "",
    metadata: dict[str, str] | None = None,
) -> bytes:
    """Render an A4 report of several sections, each a heading, text and an optional table (added by the
    dashboards app for the status report per county or Diginettverk). All text is literal, as in
    :func:`render_table_pdf`."""
    register_fonts()
    story: list[Flowable] = [_plain_paragraph(title, _style("title")), KeepTogether(_intro_paragraphs(intro))]
    for section in sections:
        for index, row in enumerate(section.rows):
            if len(row) != len(section.columns):
                raise ValueError(
                    f"{section.heading}: row {index} has {len(row)} cells, expected {len(section.columns)}."
                )
        heading = _plain_paragraph(section.heading, _style("section"))
        heading.keepWithNext = True
        story.append(heading)
        story.extend(_intro_paragraphs(section.text))
        if section.columns and section.rows:
            story.append(_data_table(section.columns, section.rows))
        elif section.empty_text:
            story.extend(_intro_paragraphs(section.empty_text))
    return _build(story, title=title, footer=footer, metadata=metadata)


def _intro_paragraphs(intro: str) -> list[Flowable]:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", intro) if block.strip()]
    return [_plain_paragraph(block, _style("body")) for block in blocks]


def _column_widths(columns: list[str], rows: list[list[str]]) -> list[float]:
    """Share the page width between the columns.

    Each column gets at least the width of its longest word (so dates and names do not break mid-word), capped at
    35 % of the page (longer words, such as hashes, are split); the rest of the width goes to the columns whose
    typical (90th percentile) text is wider than that.
    """
    available = _PAGE_WIDTH - 2 * _MARGIN_X
    padding = 6 + 1  # left + right cell padding, plus rounding slack
    cap = available * 0.35
    size = _style("cell").fontSize

    def width(text: str, font: str = FONT) -> float:
        measured: float = pdfmetrics.stringWidth(text, font, size)
        return measured

    minimum: list[float] = []
    preferred: list[float] = []
    for index, column in enumerate(columns):
        cells = [str(row[index]) for row in rows]
        words = [word for cell in cells for word in cell.split()]
        longest_word = max([width(word) for word in words] + [width(word, FONT_BOLD) for word in column.split()] + [0])
        low = min(longest_word + padding, cap)
        text_widths = sorted(width(" ".join(cell.split())) for cell in cells) or [0.0]
        typical = text_widths[max(0, int(len(text_widths) * 0.9) - 1)]
        minimum.append(low)
        preferred.append(max(low, min(typical + padding, available)))

    if sum(minimum) >= available:
        return [w * available / sum(minimum) for w in minimum]
    spare = available - sum(minimum)
    wanted = [p - m for p, m in zip(preferred, minimum, strict=True)]
    if sum(wanted) > spare:
        return [m + w * spare / sum(wanted) for m, w in zip(minimum, wanted, strict=True)]
    leftover = available - sum(preferred)
    return [p + leftover * p / sum(preferred) for p in preferred]

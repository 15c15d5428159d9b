"""The public renderers: Markdown documents with a signature page, table reports, sectioned reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from lib.pdf.canvas import _build
from lib.pdf.markup import (
    markdown_flowables,
)
from lib.pdf.style import (
    _HEADER_FILL,
    _INK,
    _MARGIN_X,
    _PAGE_WIDTH,
    _RULE,
    FONT,
    FONT_BOLD,
    _plain_paragraph,
    _style,
    register_fonts,
)


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

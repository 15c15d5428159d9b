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

The package splits along its parts: ``style`` (fonts, styles, escaping), ``markup`` (Markdown → HTML →
flowables), ``canvas`` (footer, page numbers, metadata, building) and ``render`` (the entry points).
"""

from __future__ import annotations

from lib.pdf.markup import markdown_flowables, markdown_to_html
from lib.pdf.render import ReportSection, render_markdown_pdf, render_report_pdf, render_table_pdf
from lib.pdf.style import (
    AUTHOR,
    CREATOR,
    FONT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_DIR,
    FONT_ITALIC,
    LANGUAGE,
    escape_text,
    register_fonts,
)

__all__ = [
    "AUTHOR",
    "CREATOR",
    "FONT",
    "FONT_BOLD",
    "FONT_BOLD_ITALIC",
    "FONT_DIR",
    "FONT_ITALIC",
    "LANGUAGE",
    "ReportSection",
    "escape_text",
    "markdown_flowables",
    "markdown_to_html",
    "register_fonts",
    "render_markdown_pdf",
    "render_report_pdf",
    "render_table_pdf",
]

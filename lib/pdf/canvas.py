"""The canvas: footer, "n / N" page numbers, document metadata, and the build of a story to bytes."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    SimpleDocTemplate,
)

from lib.pdf.style import (
    _FOOTER_SIZE,
    _MARGIN_BOTTOM,
    _MARGIN_TOP,
    _MARGIN_X,
    _MUTED,
    _PAGE_WIDTH,
    _RULE,
    AUTHOR,
    CREATOR,
    FONT,
    LANGUAGE,
    register_fonts,
)

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

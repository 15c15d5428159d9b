"""Markdown → HTML → reportlab flowables. Raw HTML and entities in the source are not interpreted."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    ListFlowable,
    ListItem,
    Paragraph,
    Preformatted,
)

from lib.pdf.style import (
    _RULE,
    FONT,
    _style,
    escape_text,
    register_fonts,
)

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

"""Server-rendered SVG for "how the services fit together": the prerequisite graph and the roadmap.

No script and presentation attributes only (the CSP forbids inline style). Each drawing has a title
and description; the page gives the same content as lists and a table.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from agreements import graph
from agreements.choices import Lifecycle

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 190, 44, 60, 18, 12
FILL = {
    Lifecycle.PLANNED: "#eeeeee",
    Lifecycle.PILOT: "#dbe8f6",
    Lifecycle.AVAILABLE: "#dff0e3",
    Lifecycle.PHASING_OUT: "#fbeed5",
}
# Lifecycle is also written in each box (and dashed for planned), so colour is never the only carrier.
DASH = {Lifecycle.PLANNED: ' stroke-dasharray="5 3"', Lifecycle.PHASING_OUT: ' stroke-dasharray="2 2"'}


def _wrap(text: str, width: int = 24) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:2]


def prerequisite_svg(services: list, prerequisites: graph.Graph, *, title: str, description: str) -> SafeString:
    """Services in columns by depth (left: needs nothing); an arrow from each prerequisite to what needs it."""
    by_id = {s.pk: s for s in services}
    columns = [[pk for pk in layer if pk in by_id] for layer in graph.layers(prerequisites)]
    columns = [sorted(c, key=lambda pk: by_id[pk].sort_order) for c in columns if c]
    rows = max((len(c) for c in columns), default=1)
    width = PAD * 2 + len(columns) * BOX_W + max(len(columns) - 1, 0) * GAP_X
    height = PAD * 2 + rows * BOX_H + (rows - 1) * GAP_Y
    position: dict[int, tuple[float, float]] = {}
    for ci, column in enumerate(columns):
        for ri, pk in enumerate(column):
            position[pk] = (PAD + ci * (BOX_W + GAP_X), PAD + ri * (BOX_H + GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="diagram" role="img" '
        'aria-labelledby="graph-title graph-desc" focusable="false">',
        f'<title id="graph-title">{escape(title)}</title>',
        f'<desc id="graph-desc">{escape(description)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1b1b1b"/></marker></defs>',
    ]
    for pk, (x, y) in position.items():
        for prerequisite in sorted(prerequisites.get(pk, ())):
            if prerequisite in position:
                px, py = position[prerequisite]
                parts.append(
                    f'<line x1="{px + BOX_W:.0f}" y1="{py + BOX_H / 2:.0f}" x2="{x:.0f}" y2="{y + BOX_H / 2:.0f}" '
                    'stroke="#4a4a4a" stroke-width="1.2" marker-end="url(#arrow)"/>'
                )
    for pk, (x, y) in position.items():
        service = by_id[pk]
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{FILL[service.lifecycle]}" '
            f'stroke="#1b1b1b"{DASH.get(service.lifecycle, "")}/>'
        )
        lines = _wrap(service.name)
        for li, line in enumerate(lines):
            parts.append(
                f'<text x="{x + 8:.0f}" y="{y + 17 + li * 14:.0f}" font-size="12" fill="#1b1b1b">{escape(line)}</text>'
            )
        if service.lifecycle != Lifecycle.AVAILABLE:
            parts.append(
                f'<text x="{x + BOX_W - 6:.0f}" y="{y + BOX_H - 5:.0f}" font-size="10" text-anchor="end" '
                f'fill="#1b1b1b">{escape(str(service.get_lifecycle_display()))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


ROW_H, LABEL_W, CHART_W = 26, 230, 520


def roadmap_svg(rows: list, *, start: dt.date, end: dt.date, title: str, description: str) -> SafeString:
    """One bar per service from its first date to its last (or the end of the axis), segment per stage."""
    span = max((end - start).days, 1)
    height = PAD * 2 + (len(rows) + 1) * ROW_H

    def x(day: dt.date) -> float:
        day = min(max(day, start), end)
        return LABEL_W + CHART_W * (day - start).days / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LABEL_W + CHART_W + PAD} {height}" class="diagram" '
        'role="img" aria-labelledby="roadmap-title roadmap-desc" focusable="false">',
        f'<title id="roadmap-title">{escape(title)}</title>',
        f'<desc id="roadmap-desc">{escape(description)}</desc>',
    ]
    for year in range(start.year, end.year + 1):
        day = dt.date(year, 1, 1)
        if start <= day <= end:
            parts.append(
                f'<line x1="{x(day):.0f}" y1="{PAD}" x2="{x(day):.0f}" y2="{height - PAD}" stroke="#c4c4c4"/>'
                f'<text x="{x(day) + 3:.0f}" y="{PAD + 10}" font-size="11" fill="#1b1b1b">{year}</text>'
            )
    for index, row in enumerate(rows):
        y = PAD + (index + 1) * ROW_H
        parts.append(f'<text x="4" y="{y + 15}" font-size="12" fill="#1b1b1b">{escape(row.name)}</text>')
        for stage, begin, finish in row.segments:
            left, right = x(begin), x(finish or end)
            if right - left < 2:
                continue
            parts.append(
                f'<rect x="{left:.0f}" y="{y + 4}" width="{right - left:.0f}" height="{ROW_H - 8}" '
                f'fill="{FILL[stage]}" stroke="#1b1b1b"{DASH.get(stage, "")}/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above

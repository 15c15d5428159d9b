"""Server-rendered SVG for "how the services fit together": the prerequisite graph and the roadmap.

No script and presentation attributes only (the CSP forbids inline style). Each drawing has a title
and description; the page gives the same content as lists and a table. This module computes the
geometry; the markup is in templates/agreements/charts/*.svg, where autoescaping escapes every text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

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
DASH = {Lifecycle.PLANNED: "5 3", Lifecycle.PHASING_OUT: "2 2"}


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


def prerequisite_svg(services: list[Any], prerequisites: graph.Graph, *, title: str, description: str) -> SafeString:
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
    arrows = [
        {
            "x1": f"{px + BOX_W:.0f}",
            "y1": f"{py + BOX_H / 2:.0f}",
            "x2": f"{x:.0f}",
            "y2": f"{y + BOX_H / 2:.0f}",
        }
        for pk, (x, y) in position.items()
        for prerequisite in sorted(prerequisites.get(pk, ()))
        if prerequisite in position
        for px, py in [position[prerequisite]]
    ]
    boxes = []
    for pk, (x, y) in position.items():
        service = by_id[pk]
        boxes.append(
            {
                "x": f"{x:.0f}",
                "y": f"{y:.0f}",
                "fill": FILL[service.lifecycle],
                "dash": DASH.get(service.lifecycle, ""),
                "lines": [
                    {"x": f"{x + 8:.0f}", "y": f"{y + 17 + li * 14:.0f}", "text": line}
                    for li, line in enumerate(_wrap(service.name))
                ],
                "stage": "" if service.lifecycle == Lifecycle.AVAILABLE else str(service.get_lifecycle_display()),
                "stage_x": f"{x + BOX_W - 6:.0f}",
                "stage_y": f"{y + BOX_H - 5:.0f}",
            }
        )
    return render_to_string(
        "agreements/charts/prerequisites.svg",
        {
            "width": width,
            "height": height,
            "title": title,
            "description": description,
            "arrows": arrows,
            "boxes": boxes,
            "box_width": BOX_W,
            "box_height": BOX_H,
        },
    )


ROW_H, LABEL_W, CHART_W = 26, 230, 520


def roadmap_svg(rows: list[Any], *, start: dt.date, end: dt.date, title: str, description: str) -> SafeString:
    """One bar per service from its first date to its last (or the end of the axis), segment per stage."""
    span = max((end - start).days, 1)
    height = PAD * 2 + (len(rows) + 1) * ROW_H

    def x(day: dt.date) -> float:
        day = min(max(day, start), end)
        return LABEL_W + CHART_W * (day - start).days / span

    years = [
        {
            "year": year,
            "x": f"{x(day):.0f}",
            "bottom": height - PAD,
            "label_x": f"{x(day) + 3:.0f}",
            "label_y": PAD + 10,
        }
        for year in range(start.year, end.year + 1)
        if start <= (day := dt.date(year, 1, 1)) <= end
    ]
    drawn = []
    for index, row in enumerate(rows):
        y = PAD + (index + 1) * ROW_H
        bars = []
        for stage, begin, finish in row.segments:
            left, right = x(begin), x(finish or end)
            if right - left < 2:
                continue
            bars.append(
                {
                    "x": f"{left:.0f}",
                    "y": y + 4,
                    "width": f"{right - left:.0f}",
                    "height": ROW_H - 8,
                    "fill": FILL[stage],
                    "dash": DASH.get(stage, ""),
                }
            )
        drawn.append({"name": row.name, "label_y": y + 15, "bars": bars})
    return render_to_string(
        "agreements/charts/roadmap.svg",
        {
            "width": LABEL_W + CHART_W + PAD,
            "height": height,
            "pad": PAD,
            "title": title,
            "description": description,
            "years": years,
            "rows": drawn,
        },
    )

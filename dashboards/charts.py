"""Server-rendered SVG charts: no script, no external asset, and presentation attributes only (the
CSP forbids inline style). Each chart comes with a title and description for screen readers; the
page shows the same figures as text and as a table. The markup is in templates/dashboards/charts/,
where autoescaping escapes every text."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from dashboards.status import Progress

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 640, 260, 48, 16, 16, 36


def progress_svg(progress: Progress, *, chart_id: str, title: str, description: str) -> SafeString:
    """Cumulative signatures per day against the total (dashed) and the deadline (vertical line)."""
    if not progress.days:
        return SafeString("")
    first = progress.days[0][0]
    last = max(progress.days[-1][0], progress.deadline or first)
    span = max((last - first).days, 1)
    top = max(progress.total, 1)

    def x(day: dt.date) -> float:
        return PAD_LEFT + (WIDTH - PAD_LEFT - PAD_RIGHT) * (day - first).days / span

    def y(value: int) -> float:
        return HEIGHT - PAD_BOTTOM - (HEIGHT - PAD_TOP - PAD_BOTTOM) * value / top

    points = " ".join(f"{x(day):.1f},{y(count):.1f}" for day, count in progress.days)
    deadline = None
    if progress.deadline:
        deadline_x = x(progress.deadline)
        deadline = {
            "x": f"{deadline_x:.1f}",
            "label_x": f"{min(deadline_x, WIDTH - 60):.1f}",
            "label": date_format(progress.deadline, "j. M"),
        }
    return render_to_string(
        "dashboards/charts/progress.svg",
        {
            "chart_id": chart_id,
            "title": title,
            "description": description,
            "width": WIDTH,
            "height": HEIGHT,
            "left": PAD_LEFT,
            "right": WIDTH - PAD_RIGHT,
            "top": PAD_TOP,
            "bottom": HEIGHT - PAD_BOTTOM,
            "total": progress.total,
            "total_y": f"{y(progress.total):.1f}",
            "label_x": PAD_LEFT - 6,
            "total_label_y": f"{y(progress.total) + 4:.1f}",
            "zero_label_y": HEIGHT - PAD_BOTTOM + 4,
            "date_y": HEIGHT - 12,
            "first": date_format(first, "j. M Y"),
            "deadline": deadline,
            "points": points,
        },
    )

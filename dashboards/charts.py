"""Server-rendered SVG charts: no script, no external asset, and presentation attributes only (the
CSP forbids inline style). Each chart comes with a title and description for screen readers; the
page shows the same figures as text and as a table."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from dashboards.status import Progress

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 640, 260, 48, 16, 16, 36


def progress_svg(progress: Progress, *, chart_id: str, title: str, description: str) -> SafeString:
    """Cumulative signatures per day against the total (dashed) and the deadline (vertical line)."""
    if not progress.days:
        return mark_safe("")
    first = progress.days[0][0]
    last = max(progress.days[-1][0], progress.deadline or first)
    span = max((last - first).days, 1)
    top = max(progress.total, 1)

    def x(day: dt.date) -> float:
        return PAD_LEFT + (WIDTH - PAD_LEFT - PAD_RIGHT) * (day - first).days / span

    def y(value: int) -> float:
        return HEIGHT - PAD_BOTTOM - (HEIGHT - PAD_TOP - PAD_BOTTOM) * value / top

    points = " ".join(f"{x(day):.1f},{y(count):.1f}" for day, count in progress.days)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" y2="{HEIGHT - PAD_BOTTOM}" '
        'stroke="#1b1b1b" stroke-width="1"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}" '
        'stroke="#1b1b1b" stroke-width="1"/>',
        f'<line x1="{PAD_LEFT}" y1="{y(progress.total):.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y(progress.total):.1f}" '
        'stroke="#4a4a4a" stroke-width="1.5" stroke-dasharray="6 4"/>',
        f'<text x="{PAD_LEFT - 6}" y="{y(progress.total) + 4:.1f}" text-anchor="end" font-size="12" fill="#1b1b1b">'
        f"{progress.total}</text>",
        f'<text x="{PAD_LEFT - 6}" y="{HEIGHT - PAD_BOTTOM + 4}" text-anchor="end" font-size="12" '
        'fill="#1b1b1b">0</text>',
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 12}" font-size="12" fill="#1b1b1b">'
        f"{escape(date_format(first, 'j. M Y'))}</text>",
    ]
    if progress.deadline:
        deadline_x = x(progress.deadline)
        parts += [
            f'<line x1="{deadline_x:.1f}" y1="{PAD_TOP}" x2="{deadline_x:.1f}" y2="{HEIGHT - PAD_BOTTOM}" '
            'stroke="#a4221a" stroke-width="2"/>',
            f'<text x="{min(deadline_x, WIDTH - 60):.1f}" y="{HEIGHT - 12}" font-size="12" fill="#a4221a" '
            f'text-anchor="middle">{escape(date_format(progress.deadline, "j. M"))}</text>',
        ]
    parts += [
        f'<polyline points="{points}" fill="none" stroke="#00665a" stroke-width="3"/>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text value is escaped above

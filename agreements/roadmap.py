"""The roadmap: each service's stages (pilot, available, phasing out) as dated segments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from agreements.choices import Lifecycle


@dataclass(frozen=True)
class RoadmapRow:
    name: str
    lifecycle: str
    segments: list[tuple[str, dt.date, dt.date | None]]  # (stage, from, until or None = open)

    @property
    def labelled_segments(self) -> list[tuple[str, dt.date, dt.date | None]]:
        return [(str(Lifecycle(stage).label), begin, end) for stage, begin, end in self.segments]


def rows(services: list, today: dt.date) -> list[RoadmapRow]:
    result = []
    for s in services:
        points = [
            (Lifecycle.PILOT, s.pilot_from),
            (Lifecycle.AVAILABLE, s.available_from),
            (Lifecycle.PHASING_OUT, s.phase_out_from),
        ]
        dated = [(stage, day) for stage, day in points if day]
        segments: list[tuple[str, dt.date, dt.date | None]] = []
        if s.lifecycle == Lifecycle.PLANNED and dated:
            segments.append((Lifecycle.PLANNED, today, dated[0][1]))
        for index, (stage, day) in enumerate(dated):
            until = dated[index + 1][1] if index + 1 < len(dated) else s.ends_on
            segments.append((stage, day, until))
        if not segments:
            segments.append((s.lifecycle, today, None))
        result.append(RoadmapRow(s.name, s.lifecycle, segments))
    return result


def axis(rows_: list[RoadmapRow], today: dt.date) -> tuple[dt.date, dt.date]:
    starts = [begin for row in rows_ for _stage, begin, _end in row.segments]
    ends = [end for row in rows_ for _stage, _begin, end in row.segments if end]
    start = dt.date(min([*starts, today]).year, 1, 1)
    start = max(start, dt.date(today.year - 3, 1, 1))  # long-running services do not stretch the axis
    end = dt.date(max([*ends, today]).year + 1, 12, 31)
    return start, end

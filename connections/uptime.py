"""Availability arithmetic: pure functions over outage intervals, no database.

Availability in a period = 1 − (time covered by outages) / (time the connection was in service).
Overlapping outages count once (intervals are merged); an outage that crosses a month boundary
counts in each month for the part inside it; an open outage lasts until ``now``. Months are calendar
months in Norway's time zone, so a month has its real length (including the 23- and 25-hour days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
Interval = tuple[dt.datetime, dt.datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same time; touching intervals join."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The parts of ``intervals`` inside [start, end)."""
    return [(max(s, start), min(e, end)) for s, e in intervals if e > start and s < end]


def seconds(start: dt.datetime, end: dt.datetime) -> float:
    """Elapsed time. Not ``end - start``: Python subtracts wall-clock times when both share a tzinfo, which
    would give a 24-hour day when summer time begins."""
    return end.timestamp() - start.timestamp()


def covered_seconds(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> float:
    return sum(seconds(s, e) for s, e in merge_intervals(clip(intervals, start, end)))


def close_open(outages: Iterable[tuple[dt.datetime, dt.datetime | None]], now: dt.datetime) -> list[Interval]:
    """Outages as intervals: one still open lasts until ``now``."""
    return [(start, end if end is not None else now) for start, end in outages if start < (end or now)]


def month_bounds(year: int, month: int) -> Interval:
    start = dt.datetime(year, month, 1, tzinfo=OSLO)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=OSLO)
    return start, end


def year_bounds(year: int) -> Interval:
    return dt.datetime(year, 1, 1, tzinfo=OSLO), dt.datetime(year + 1, 1, 1, tzinfo=OSLO)


def percent(up: float, total: float) -> Decimal | None:
    """Availability as a percentage with three decimals, rounded down (never shows better than it was)."""
    if total <= 0:
        return None
    return (Decimal(up) * 100 / Decimal(total)).quantize(Decimal("0.001"), rounding=ROUND_FLOOR)


@dataclass(frozen=True)
class Availability:
    """Availability in one period: seconds in service, seconds down, and the percentage (None when the
    connection was not in service at all in the period)."""

    label: str
    start: dt.datetime
    end: dt.datetime
    in_service_seconds: float
    down_seconds: float
    unplanned_down_seconds: float

    @property
    def percent(self) -> Decimal | None:
        return percent(self.in_service_seconds - self.down_seconds, self.in_service_seconds)

    @property
    def unplanned_percent(self) -> Decimal | None:
        return percent(self.in_service_seconds - self.unplanned_down_seconds, self.in_service_seconds)

    @property
    def down_minutes(self) -> int:
        return int(self.down_seconds // 60)

    def meets(self, target: Decimal) -> bool | None:
        value = self.percent
        return None if value is None else value >= target


@dataclass(frozen=True)
class ServicePeriod:
    """One connection's time in service and its outages (planned or not)."""

    in_service: Interval | None
    outages: list[Interval]
    unplanned: list[Interval]


def availability(periods: Iterable[ServicePeriod], start: dt.datetime, end: dt.datetime, label: str) -> Availability:
    """Availability of one or more connections in [start, end): each connection counts for the time it was
    in service inside the period (so the backbone figure weights connections by their time in service)."""
    in_service = down = unplanned = 0.0
    for period in periods:
        if period.in_service is None:
            continue
        window = clip([period.in_service], start, end)
        if not window:
            continue
        w_start, w_end = window[0]
        in_service += seconds(w_start, w_end)
        down += covered_seconds(period.outages, w_start, w_end)
        unplanned += covered_seconds(period.unplanned, w_start, w_end)
    return Availability(label, start, end, in_service, down, unplanned)


def monthly(periods: list[ServicePeriod], year: int, now: dt.datetime) -> list[Availability]:
    """Each month of ``year`` that has begun by ``now`` (the current month up to ``now``)."""
    result = []
    for month in range(1, 13):
        start, end = month_bounds(year, month)
        if start >= now:
            break
        result.append(availability(periods, start, min(end, now), label=f"{year}-{month:02d}"))
    return result


def yearly(periods: list[ServicePeriod], year: int, now: dt.datetime) -> Availability:
    start, end = year_bounds(year)
    return availability(periods, start, min(end, now), label=str(year))


def service_window(
    activated_on: dt.date | None, decommissioned_on: dt.date | None, now: dt.datetime
) -> Interval | None:
    """From the start of the activation day to the start of the decommissioning day (or now), in Norway."""
    if activated_on is None:
        return None
    start = dt.datetime.combine(activated_on, dt.time.min, tzinfo=OSLO)
    end = dt.datetime.combine(decommissioned_on, dt.time.min, tzinfo=OSLO) if decommissioned_on else now
    end = min(end, now)
    return (start, end) if end > start else None

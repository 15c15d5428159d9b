"""Availability arithmetic: merged overlaps, month boundaries, open outages, service windows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connections import uptime
from connections.uptime import OSLO, ServicePeriod


def t(day: int, hour: int = 0, month: int = 1, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=OSLO)


def test_it_merges_overlapping_and_touching_intervals() -> None:
    merged = uptime.merge_intervals([(t(1, 2), t(1, 4)), (t(1, 3), t(1, 6)), (t(1, 6), t(1, 7)), (t(2), t(2, 1))])
    assert merged == [(t(1, 2), t(1, 7)), (t(2), t(2, 1))]


def test_it_ignores_empty_intervals() -> None:
    assert uptime.merge_intervals([(t(1, 2), t(1, 2)), (t(1, 5), t(1, 4))]) == []


def test_overlapping_outages_count_once() -> None:
    outages = [(t(10, 0), t(10, 2)), (t(10, 1), t(10, 3))]
    assert uptime.covered_seconds(outages, t(1), t(1, month=2)) == 3 * 3600


def test_an_outage_across_a_month_boundary_counts_in_each_month() -> None:
    outage = (dt.datetime(2025, 1, 31, 22, tzinfo=OSLO), dt.datetime(2025, 2, 1, 3, tzinfo=OSLO))
    period = ServicePeriod(in_service=(t(1), t(1, year=2026)), outages=[outage], unplanned=[outage])
    months = uptime.monthly([period], 2025, now=t(1, year=2026))
    assert len(months) == 12
    assert months[0].down_seconds == 2 * 3600
    assert months[1].down_seconds == 3 * 3600
    assert months[2].down_seconds == 0
    january = 31 * 24 * 3600
    assert months[0].percent == Decimal(100 * (january - 7200) / january).quantize(Decimal("0.001"), "ROUND_FLOOR")
    year = uptime.yearly([period], 2025, now=t(1, year=2026))
    assert year.down_seconds == 5 * 3600


def test_an_outage_across_new_year_counts_in_each_year() -> None:
    outage = (dt.datetime(2024, 12, 31, 23, tzinfo=OSLO), dt.datetime(2025, 1, 1, 1, tzinfo=OSLO))
    period = ServicePeriod(in_service=(t(1, year=2020), t(1, year=2030)), outages=[outage], unplanned=[])
    assert uptime.yearly([period], 2024, now=t(1, year=2030)).down_seconds == 3600
    assert uptime.yearly([period], 2025, now=t(1, year=2030)).down_seconds == 3600


def test_months_have_their_real_length_in_norway() -> None:
    # March 2025 has a 23-hour day (summer time starts 30 March).
    start, end = uptime.month_bounds(2025, 3)
    assert uptime.seconds(start, end) == (31 * 24 - 1) * 3600
    period = ServicePeriod(in_service=(t(1, year=2024), t(1, year=2026)), outages=[], unplanned=[])
    march = uptime.monthly([period], 2025, now=t(1, year=2026))[2]
    assert march.in_service_seconds == (31 * 24 - 1) * 3600
    start, end = uptime.month_bounds(2025, 12)
    assert end == dt.datetime(2026, 1, 1, tzinfo=OSLO)


def test_an_open_outage_lasts_until_now() -> None:
    now = t(15, 12)
    intervals = uptime.close_open([(t(15, 10), None), (t(1), t(1, 1))], now)
    assert intervals == [(t(15, 10), now), (t(1), t(1, 1))]
    period = ServicePeriod(in_service=(t(1), now), outages=intervals, unplanned=intervals)
    months = uptime.monthly([period], 2025, now)
    assert len(months) == 1  # only January has begun
    assert months[0].down_seconds == 3 * 3600
    assert months[0].end == now


def test_planned_outages_are_counted_but_shown_apart() -> None:
    planned, unplanned = (t(5, 1), t(5, 3)), (t(6, 1), t(6, 2))
    period = ServicePeriod(in_service=(t(1), t(1, month=2)), outages=[planned, unplanned], unplanned=[unplanned])
    figure = uptime.availability([period], t(1), t(1, month=2), "jan")
    assert figure.down_seconds == 3 * 3600
    assert figure.unplanned_down_seconds == 3600
    assert figure.percent < figure.unplanned_percent


def test_only_time_in_service_counts() -> None:
    # Active from 16 January: half a month in service, one hour down.
    window = uptime.service_window(dt.date(2025, 1, 16), None, now=t(1, month=3))
    period = ServicePeriod(in_service=window, outages=[(t(10), t(10, 5)), (t(20), t(20, 1))], unplanned=[])
    january = uptime.monthly([period], 2025, now=t(1, month=3))[0]
    assert january.in_service_seconds == 16 * 24 * 3600
    assert january.down_seconds == 3600  # the outage before activation does not count


def test_a_period_without_service_has_no_percentage() -> None:
    period = ServicePeriod(in_service=None, outages=[], unplanned=[])
    figure = uptime.availability([period], t(1), t(1, month=2), "jan")
    assert figure.percent is None
    assert figure.meets(Decimal("99.9")) is None


def test_the_backbone_weights_connections_by_time_in_service() -> None:
    full = ServicePeriod(in_service=(t(1), t(1, month=2)), outages=[(t(2), t(2, 12))], unplanned=[])
    none_down = ServicePeriod(in_service=(t(1), t(1, month=2)), outages=[], unplanned=[])
    figure = uptime.availability([full, none_down], t(1), t(1, month=2), "jan")
    assert figure.in_service_seconds == 2 * 31 * 24 * 3600
    assert figure.down_seconds == 12 * 3600
    assert figure.percent == Decimal("99.193")  # 1 - 12 / 1488, rounded down
    assert figure.meets(Decimal("100")) is False


def test_availability_rounds_down_so_it_never_looks_better() -> None:
    assert uptime.percent(99_999, 100_000) == Decimal("99.999")
    assert uptime.percent(9_999_999, 10_000_000) == Decimal("99.999")
    assert uptime.percent(1, 0) is None


def test_decommissioning_ends_the_service_window() -> None:
    window = uptime.service_window(dt.date(2025, 1, 1), dt.date(2025, 1, 11), now=t(1, month=6))
    assert window == (t(1), t(11))
    assert uptime.service_window(dt.date(2025, 7, 1), None, now=t(1, month=6)) is None
    assert uptime.service_window(None, None, now=t(1)) is None

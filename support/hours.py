"""Is the customer centre open? Local time in Norway, the configured days and hours, and Norway's
public holidays (the maintained ``holidays`` library: Easter, Ascension, Whit Monday, 17 May, …)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import capfirst

from support.choices import Weekday
from support.models import OpeningHours, SpecialDay

OSLO = ZoneInfo("Europe/Oslo")


def current_hours() -> OpeningHours:
    """The one row of opening hours; made from the settings' defaults the first time it is asked for."""
    hours = OpeningHours.objects.order_by("pk").first()
    if hours is None:
        hours, _created = OpeningHours.objects.get_or_create(
            pk=1,
            defaults={
                "phone": settings.CUSTOMER_CENTRE_PHONE,
                "email": settings.CUSTOMER_CENTRE_EMAIL,
            },
        )
    return hours


def public_holiday(day: dt.date) -> str | None:
    """The name of the Norwegian public holiday on ``day`` (in the user's language), or None."""
    language = "no" if translation.get_language() in (None, "nb", "no") else "en_US"
    return holidays.country_holidays("NO", years=day.year, language=language).get(day)


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    holiday: str | None  # why it is closed on a day it would otherwise be open
    special: SpecialDay | None = None  # today's special day, when there is one


def open_state(hours: OpeningHours, at: dt.datetime | None = None) -> OpenState:
    """Whether the centre is open at ``at`` (now by default). A special day (closed, or reduced hours)
    decides its day; else: opens ≤ local time < closes, on an open day, and not on a public holiday."""
    local = (at or timezone.now()).astimezone(OSLO)
    now = local.time().replace(tzinfo=None)
    special = SpecialDay.objects.filter(date=local.date()).first()
    if special is not None:
        if special.closed or special.opens is None or special.closes is None:
            return OpenState(False, special.note or None, special)
        return OpenState(special.opens <= now < special.closes, None, special)
    holiday = public_holiday(local.date()) if hours.closed_on_public_holidays else None
    if holiday:
        return OpenState(False, holiday)
    if local.weekday() not in hours.weekdays:
        return OpenState(False, None)
    return OpenState(hours.opens <= now < hours.closes, None)


@dataclass(frozen=True)
class DayOff:
    """A coming day with other hours than the week's: a special day, or a public holiday."""

    date: dt.date
    closed: bool
    opens: dt.time | None
    closes: dt.time | None
    note: str


def coming_days(hours: OpeningHours, *, days: int = 60, today: dt.date | None = None) -> list[DayOff]:
    """The special days and (when the centre closes on them) public holidays of the coming ``days``,
    in date order; a special day wins over a holiday on the same date."""
    start = today or timezone.localdate()
    end = start + dt.timedelta(days=days)
    found: dict[dt.date, DayOff] = {}
    if hours.closed_on_public_holidays:
        language = "no" if translation.get_language() in (None, "nb", "no") else "en_US"
        calendar = holidays.country_holidays("NO", years=range(start.year, end.year + 1), language=language)
        for day, name in calendar.items():
            if start <= day <= end and day.weekday() in hours.weekdays:
                found[day] = DayOff(day, True, None, None, str(name))
    for special in SpecialDay.objects.filter(date__gte=start, date__lte=end):
        found[special.date] = DayOff(special.date, special.closed, special.opens, special.closes, special.note)
    return [found[day] for day in sorted(found)]


CACHE_KEY = "support:opening-hours"
# Every page's footer shows the hours: each process keeps them this long in its own memory ("local"
# cache), in front of the shared cache, so a page costs no query and no round trip for them. A change
# empties both here; other processes follow within this many seconds.
LOCAL_SECONDS = 30
SHARED_SECONDS = 300


def _summary_data() -> dict[str, Any]:
    from django.core.cache import caches

    local, shared = caches["local"], caches["default"]
    data: dict[str, Any] | None = local.get(CACHE_KEY)
    if data is None:
        data = shared.get(CACHE_KEY)
        if data is None:
            # Read, never create: a page view does not write. Without a saved row, the model's defaults.
            hours = OpeningHours.objects.order_by("pk").first() or OpeningHours(
                phone=settings.CUSTOMER_CENTRE_PHONE, email=settings.CUSTOMER_CENTRE_EMAIL
            )
            data = {
                "phone": hours.phone,
                "email": hours.email,
                "opens": hours.opens,
                "closes": hours.closes,
                "weekdays": list(hours.weekdays),
            }
            shared.set(CACHE_KEY, data, SHARED_SECONDS)
        local.set(CACHE_KEY, data, LOCAL_SECONDS)
    return data


def summary() -> dict[str, Any]:
    """What every page's footer and the help page show of the customer centre (core.customer_centre),
    from the hours staff save: ``phone``, ``email``, ``hours`` ("08:00–20:00"), ``days`` ("Monday–Friday",
    in the reader's language). Cached per process and shared; ``forget_summary`` empties both."""
    data = _summary_data()
    probe = OpeningHours(weekdays=data["weekdays"])
    return {
        "phone": data["phone"],
        "email": data["email"],
        "hours": f"{data['opens']:%H:%M}–{data['closes']:%H:%M}",
        "days": describe_days(probe),
    }


def forget_summary(**_kwargs: Any) -> None:
    from django.core.cache import caches

    caches["local"].delete(CACHE_KEY)
    caches["default"].delete(CACHE_KEY)


def describe_days(hours: OpeningHours) -> str:
    """ "Monday–Friday" for a run of days, else the days listed: "Monday, Wednesday"."""
    days = sorted(set(hours.weekdays))
    if not days:
        return ""
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return capfirst(f"{Weekday(days[0]).label}–{Weekday(days[-1]).label}")
    return capfirst(", ".join(str(Weekday(d).label) for d in days))

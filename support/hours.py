"""Is the customer centre open? Local time in Norway, the configured days and hours, and Norway's
public holidays (the maintained ``holidays`` library: Easter, Ascension, Whit Monday, 17 May, …)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone, translation
from django.utils.text import capfirst

from support.choices import Weekday
from support.models import OpeningHours

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


def open_state(hours: OpeningHours, at: dt.datetime | None = None) -> OpenState:
    """Whether the centre is open at ``at`` (now by default): opens ≤ local time < closes, on an open
    day, and not on a public holiday."""
    local = (at or timezone.now()).astimezone(OSLO)
    holiday = public_holiday(local.date()) if hours.closed_on_public_holidays else None
    if holiday:
        return OpenState(False, holiday)
    if local.weekday() not in hours.weekdays:
        return OpenState(False, None)
    return OpenState(hours.opens <= local.time().replace(tzinfo=None) < hours.closes, None)


def describe_days(hours: OpeningHours) -> str:
    """ "Monday–Friday" for a run of days, else the days listed: "Monday, Wednesday"."""
    days = sorted(set(hours.weekdays))
    if not days:
        return ""
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return capfirst(f"{Weekday(days[0]).label}–{Weekday(days[-1]).label}")
    return capfirst(", ".join(str(Weekday(d).label) for d in days))

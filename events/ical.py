"""iCalendar (RFC 5545) for one event and for the feed of all published events (icalendar library)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Norsk helsenett//Medlemsportal//NB")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Oslo")
    return calendar


def _vevent(event: Event, *, with_join_link: bool) -> VEvent:
    base = settings.PORTAL_BASE_URL
    vevent = VEvent()
    vevent.add("uid", f"event-{event.pk}@medlemsportal.nhn.no")
    vevent.add("dtstamp", event.updated_at)
    vevent.add("dtstart", event.starts_at)
    vevent.add("dtend", event.ends_at)
    vevent.add("summary", event.title)
    description = event.description
    if with_join_link and event.online_url:
        description += f"\n\n{event.online_url}"
    vevent.add("description", description)
    vevent.add("location", event.place or (event.online_url if with_join_link else "Online"))
    vevent.add("url", f"{base}{event.get_absolute_url()}")
    vevent.add("sequence", int(event.updated_at.timestamp()) % 2_000_000_000)
    return vevent


def event_ics(event: Event) -> bytes:
    """One event, for someone signed in: with the link to join."""
    calendar = _calendar(event.title)
    calendar.add_component(_vevent(event, with_join_link=True))
    return calendar.to_ical()


def feed_ics(events: Iterable[Event], name: str) -> bytes:
    """Every published event, for calendar subscriptions without a login: no join links."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_vevent(event, with_join_link=False))
    return calendar.to_ical()

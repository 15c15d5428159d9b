"""Demo: NHN's webinar series and a regional professional day, one past webinar with its recording."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from events.models import Event, Registration

OSLO = ZoneInfo("Europe/Oslo")


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO)


EVENTS = [
    ("Medlemskap i Helsenettet – hva betyr det for kommunen?", "webinar", 14, 13, 1,
     "Nye medlemsvilkår, hvem som må signere, og hva som skjer med tilknytningen. Spørsmål i chatten.",
     "", "https://teams.example.no/nhn-webinar-medlemskap", "Kommuner: kommunedirektører, IT-ledere", 300),
    ("Hvordan henger NHNs tjenester sammen?", "webinar", 42, 13, 1,
     "Kjernejournal, e-resept, helsenorge og HelseID – hvordan tjenestene spiller sammen i kommunen.",
     "", "https://teams.example.no/nhn-webinar-tjenester", "Kommuner og fastleger", None),
    ("Regional fagdag Innlandet", "professional_day", 35, 9, 6,
     "Fagdag for kommunene i Innlandet: medlemskap, tilknytning og informasjonssikkerhet.",
     "Scandic Hamar, Vangsvegen 121, Hamar", "", "Kommuner i Innlandet", 80),
    ("Webinar for kommuner: nye medlemsvilkår", "webinar", -30, 13, 1,
     "Gjennomgang av de nye medlemsvilkårene for Helsenettet.",
     "", "https://teams.example.no/nhn-webinar-vilkar", "Kommuner", None),
]  # fmt: skip


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    for title, kind, days, hour, hours, description, place, url, audience, capacity in EVENTS:
        starts = _at(days, hour)
        event, created = Event.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind, "description": description, "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=hours), "place": place, "online_url": url,
                "audience": audience, "capacity": capacity,
            },
        )  # fmt: skip
        if created and days < 0:
            event.recording_url = "https://www.youtube.com/watch?v=nhn-demo-opptak"
            event.materials = "https://www.nhn.no/medlemskap-i-helsenettet/presentasjon.pdf"
            event.save(update_fields=["recording_url", "materials"])
        if created and days > 0:
            for email in ("kari@demo.medlemsportal.no", "ingrid@demo.medlemsportal.no"):
                if user := users.get(email):
                    Registration.objects.get_or_create(
                        event=event,
                        user=user,
                        defaults={"status": "confirmed", "organisation": organisations.get("municipality")},
                    )

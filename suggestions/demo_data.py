"""Demo: the deck's suggestions so far, with support from other members."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from events.models import Event
from suggestions.models import Suggestion, SuggestionSupport

SUGGESTIONS = [
    (
        "Veikart for nasjonale e-helseløsninger",
        "roadmap",
        "ingrid@demo.medlemsportal.no",
        "Når kommer de nye løsningene, og hva må kommunen forberede?",
        ["kari@demo.medlemsportal.no", "tor@demo.medlemsportal.no"],
    ),
    (
        "Hvordan henger NHNs tjenester sammen?",
        "services_together",
        "per@demo.medlemsportal.no",
        "Kjernejournal, e-resept, HelseID og meldingsutveksling – hvem gjør hva?",
        ["ingrid@demo.medlemsportal.no"],
    ),
    (
        "Prismodell og forvaltning",
        "price_model",
        "tor@demo.medlemsportal.no",
        "Hva betaler kommunen for, og hvordan beregnes prisen?",
        ["kari@demo.medlemsportal.no", "ola@demo.medlemsportal.no"],
    ),
]


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    for title, category, author, description, supporters in SUGGESTIONS:
        if (user := users.get(author)) is None:
            continue
        suggestion, _created = Suggestion.objects.get_or_create(
            title=title, defaults={"category": category, "created_by": user, "description": description}
        )
        for email in supporters:
            if supporter := users.get(email):
                SuggestionSupport.objects.get_or_create(suggestion=suggestion, user=supporter)
    together = Suggestion.objects.filter(title=SUGGESTIONS[1][0], status="new").first()
    if together is not None:
        event = Event.objects.filter(title="Hvordan henger NHNs tjenester sammen?").first()
        if event is not None:
            together.status, together.event = "planned", event
            together.answer = "Takk for forslaget! Vi holder et webinar om dette."
            together.save(update_fields=["status", "event", "answer", "updated_at"])

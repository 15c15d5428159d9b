"""Demo: the five-minute survey with the deck's suggestion topics, open now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from surveys.models import Answer, Question, Response, Survey

TITLE = "Innspill fra deg – fem minutter"
# A few answers, so the results page has something to show: (person, organisation key, topic index,
# format indexes, usefulness 1–5, free text). Ingrid and Kari have not answered: the demo lets them.
ANSWERS = [
    ("per@demo.medlemsportal.no", "municipality", 1, [0, 3], 4, "Hvordan vi melder sikkerhetshendelser."),
    ("tor@demo.medlemsportal.no", "other_municipality", 2, [0, 1], 3, ""),
    ("ola@demo.medlemsportal.no", "ola", 0, [3], 5, "Hva endres for fastleger med egen praksis?"),
]
QUESTIONS = [
    (
        "single",
        "Hvilket tema vil du helst høre mer om?",
        True,
        [
            "Veikart for nasjonale tjenester",
            "Hvordan NHNs tjenester henger sammen",
            "Prismodell og forvaltning",
            "Noe annet",
        ],
    ),
    (
        "multiple",
        "Hvilke formater passer for deg?",
        False,
        ["Webinar", "Regional fagdag", "Fysisk samling", "Nyhetsbrev"],
    ),
    ("scale", "Hvor nyttige har NHNs webinarer vært for deg? (1 = lite, 5 = svært)", True, []),
    ("text", "Hva annet vil du at NHN skal informere om?", False, []),
]


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        title=TITLE,
        defaults={
            "intro": "NHN vil gi kommunene den informasjonen de trenger. Bruk fem minutter på skjemaet.",
            "opens_at": now - dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=60),
            "answer_per": "person",
            "is_published": True,
        },
    )
    if created:
        for position, (kind, text, required, options) in enumerate(QUESTIONS, start=1):
            Question.objects.create(
                survey=survey, position=position, kind=kind, text=text, required=required, options=options
            )
    if created:
        _answer(survey, organisations, users)


def _answer(survey: Survey, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    single, multiple, scale, text = list(survey.questions.order_by("position"))
    for email, org_key, topic, formats, usefulness, free_text in ANSWERS:
        user, organisation = users.get(email), organisations.get(org_key)
        if user is None or organisation is None:
            continue
        response = Response.objects.create(survey=survey, user=user, organisation=organisation, per_organisation=False)
        Answer.objects.bulk_create(
            [
                Answer(response=response, question=single, choices=[topic]),
                Answer(response=response, question=multiple, choices=formats),
                Answer(response=response, question=scale, number=usefulness),
                *([Answer(response=response, question=text, text=free_text)] if free_text else []),
            ]
        )

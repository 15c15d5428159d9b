from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from surveys.models import Question, Survey

OPENS = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
DURING = "2026-03-10 12:00 +0100"


def build_survey(*, per: str = "person", audience: list[str] | None = None, published: bool = True) -> Survey:
    survey = Survey.objects.create(
        title="Fem minutter: hva vil du vite?",
        intro="Hjelp oss å velge temaer.",
        opens_at=OPENS,
        closes_at=CLOSES,
        answer_per=per,
        audience_forms=audience or [],
        is_published=published,
    )
    Question.objects.create(
        survey=survey,
        position=1,
        kind="single",
        text="Hvilket tema er viktigst?",
        options=["Veikart for nasjonale tjenester", "Hvordan tjenestene henger sammen", "Prismodell og forvaltning"],
    )
    Question.objects.create(
        survey=survey,
        position=2,
        kind="multiple",
        text="Hvilke formater passer?",
        required=False,
        options=["Webinar", "Fagdag", "Nyhetsbrev"],
    )
    Question.objects.create(
        survey=survey, position=3, kind="scale", text="Hvor nyttige er webinarene?", scale_min=1, scale_max=5
    )
    Question.objects.create(survey=survey, position=4, kind="text", text="Annet?", required=False)
    return survey


@pytest.fixture
def survey(db: Any) -> Survey:
    return build_survey()


def answer_data(
    survey: Survey, org: Any, *, single: int = 0, multiple: tuple[int, ...] = (0,), scale: int = 4, text: str = ""
) -> dict[str, Any]:
    q = list(survey.questions.all())
    return {
        "organisation": org.pk,
        f"q{q[0].pk}": str(single),
        f"q{q[1].pk}": [str(i) for i in multiple],
        f"q{q[2].pk}": str(scale),
        f"q{q[3].pk}": text,
    }

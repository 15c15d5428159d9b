"""Survey results: aggregates per question over the (filtered) responses, SVG bar charts with a text
summary, and the rows for CSV/XLSX. A fixed number of queries whatever the number of answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.choices import QuestionKind
from surveys.models import Answer, Question, Survey

TEXTS_SHOWN = 50


@dataclass
class Row:
    label: str
    count: int
    percent: int  # of those who answered the question, rounded down


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def chart(self) -> SafeString:
        return bar_chart(self)

    @property
    def summary(self) -> str:
        if self.question.kind == QuestionKind.TEXT:
            return ngettext("%(n)s person wrote an answer.", "%(n)s people wrote an answer.", self.answered) % {
                "n": self.answered
            }
        if not self.answered:
            return _("Nobody has answered this question yet.")
        highest = max(r.count for r in self.rows)
        top = [r for r in self.rows if r.count == highest]  # a tie names every one of them
        text = ngettext(
            "%(n)s person answered. Most chosen: %(label)s (%(count)s, %(percent)s %%).",
            "%(n)s people answered. Most chosen: %(label)s (%(count)s, %(percent)s %%).",
            self.answered,
        ) % {
            "n": self.answered, "label": ", ".join(r.label for r in top), "count": highest,
            "percent": top[0].percent,
        }  # fmt: skip
        if self.mean is not None:
            text += " " + _("Average: %(mean)s.") % {"mean": f"{self.mean:.1f}".replace(".", ",")}
        return text


def aggregate(survey: Survey, responses: QuerySet) -> tuple[int, list[QuestionResult]]:
    questions = list(survey.questions.all())
    response_ids = list(responses.values_list("pk", flat=True))
    per_question: dict[int, list[tuple[list[int], int | None, str]]] = {q.pk: [] for q in questions}
    for question_id, choices, number, text in Answer.objects.filter(response_id__in=response_ids).values_list(
        "question_id", "choices", "number", "text"
    ):
        per_question.setdefault(question_id, []).append((choices or [], number, text))
    results = []
    for question in questions:
        answers = per_question[question.pk]
        result = QuestionResult(question=question, answered=len(answers))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = Counter(i for choices, _n, _t in answers for i in choices)
            labels = list(enumerate(question.options))
        elif question.kind == QuestionKind.SCALE:
            counts = Counter(n for _c, n, _t in answers if n is not None)
            labels = [(v, str(v)) for v in question.scale_values]
            numbers = [n for _c, n, _t in answers if n is not None]
            result.mean = sum(numbers) / len(numbers) if numbers else None
        else:
            counts, labels = Counter(), []
            result.texts = [t for _c, _n, t in answers if t][-TEXTS_SHOWN:]
        for key, label in labels:
            count = counts.get(key, 0)
            result.rows.append(Row(label, count, count * 100 // result.answered if result.answered else 0))
        results.append(result)
    return len(response_ids), results


BAR_HEIGHT, GAP, LABEL_WIDTH, BAR_WIDTH = 22, 8, 330, 300


def bar_chart(result: QuestionResult) -> SafeString:
    """A horizontal bar chart as inline SVG: a title and description for screen readers, the count and
    percentage written beside each bar (colour never carries the meaning alone)."""
    if result.question.kind == QuestionKind.TEXT or not result.rows:
        return SafeString("")
    height = len(result.rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 110
    highest = max((r.count for r in result.rows), default=0) or 1
    bars = []
    for i, row in enumerate(result.rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * row.count / highest)
        label = row.label if len(row.label) <= 44 else row.label[:43] + "…"  # the full text is in the table
        bars.append((
            LABEL_WIDTH - 8, y + BAR_HEIGHT * 0.7, label, LABEL_WIDTH, y, max(length, 1), BAR_HEIGHT,
            LABEL_WIDTH + length + 6, y + BAR_HEIGHT * 0.7, row.count, row.percent,
        ))  # fmt: skip
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="chart__bar"></rect>'
        '<text x="{}" y="{}" class="chart__value">{} ({} %)</text>',
        bars,
    )
    qid = result.question.pk
    return format_html(
        '<svg class="chart survey-chart" role="img" viewBox="0 0 {w} {h}" width="100%"'
        ' preserveAspectRatio="xMinYMin meet" aria-labelledby="chart-{q}-title chart-{q}-desc" focusable="false">'
        '<title id="chart-{q}-title">{title}</title><desc id="chart-{q}-desc">{desc}</desc>{body}</svg>',
        w=width, h=height, q=qid, title=result.question.text, desc=result.summary, body=body,
    )  # fmt: skip


def export_rows(survey: Survey, responses: QuerySet) -> tuple[list[str], list[list[Any]]]:
    """One row per response: when, organisation (not the person), its form, county and Diginettverk,
    then one column per question."""
    questions = list(survey.questions.all())
    header = [_("Response"), _("Submitted"), _("Organisation"), _("Organisation form"), _("County"), _("Diginettverk")]
    header += [q.text for q in questions]
    responses = responses.select_related(
        "organisation__municipality__county",
        "organisation__municipality__diginettverk",
        "organisation__address_municipality__county",
        "organisation__address_municipality__diginettverk",
    ).prefetch_related("answers")
    rows = []
    for response in responses:
        org = response.organisation
        municipality = getattr(org, "municipality", None) if org.form == "KOMM" else org.address_municipality
        by_question = {a.question_id: a for a in response.answers.all()}
        row: list[Any] = [
            response.pk, response.submitted_at, org.name, org.form,
            municipality.county.name if municipality else "",
            municipality.diginettverk.name if municipality and municipality.diginettverk else "",
        ]  # fmt: skip
        for question in questions:
            answer = by_question.get(question.pk)
            if answer is None:
                row.append("")
            elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                row.append("; ".join(question.options[i] for i in answer.choices if i < len(question.options)))
            elif question.kind == QuestionKind.SCALE:
                row.append(answer.number)
            else:
                row.append(answer.text)
        rows.append(row)
    return header, rows

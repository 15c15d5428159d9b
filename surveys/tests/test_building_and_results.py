"""Staff build surveys; results aggregate correctly, filter by county, Diginettverk and form, and export
safely to CSV and XLSX."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from organisations.tests.factories import RoleFactory, UserFactory
from surveys.filters import ResponseFilter
from surveys.models import Question, Response, Survey
from surveys.results import aggregate
from surveys.services import survey_answer
from surveys.tests.conftest import DURING, build_survey


def _answer(user: Any, survey: Survey, org: Any, single: str, multiple: list[str], scale: str, text: str = "") -> None:
    values = {q.pk: v for q, v in zip(survey.questions.all(), [single, multiple, scale, text], strict=True)}
    survey_answer(actor=user, survey=survey, organisation=org, values=values)


def _answered(world: Any) -> Survey:
    survey = build_survey()
    with time_machine.travel(DURING, tick=False):
        _answer(world["member_a"], survey, world.org_a, "0", ["0", "1"], "5", '=HYPERLINK("http://x")')
        _answer(world["admin_a"], survey, world.org_a, "2", ["0"], "4")
        _answer(world["admin_b"], survey, world.org_b, "2", [], "1")
    return survey


def test_staff_build_and_publish_a_survey(world: Any, login: Any) -> None:
    client = login(world["membership_manager"])
    response = client.post(reverse("surveys:survey_create"), {
        "title": "Innspill til webinarer", "intro": "", "opens_at": "2026-03-01T08:00", "closes_at": "2026-03-31T16:00",
        "answer_per": "organisation", "audience_forms": ["KOMM"],
    })  # fmt: skip
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.audience_forms == ["KOMM"] and not survey.is_published
    build = reverse("surveys:survey_build", args=[survey.pk])
    publish = reverse("surveys:survey_publish", args=[survey.pk])
    client.post(publish)
    survey.refresh_from_db()
    assert not survey.is_published  # no questions yet
    bad = client.post(
        build,
        {
            "kind": "single",
            "text": "Tema?",
            "required": "on",
            "options_text": "Bare ett",
            "scale_min": 1,
            "scale_max": 5,
        },
    )
    assert bad.status_code == 400 and not Question.objects.exists()
    client.post(
        build,
        {
            "kind": "single",
            "text": "Tema?",
            "required": "on",
            "options_text": "Veikart\nPrismodell",
            "scale_min": 1,
            "scale_max": 5,
        },
    )
    client.post(build, {"kind": "scale", "text": "Hvor fornøyd?", "scale_min": 1, "scale_max": 5})
    assert list(survey.questions.values_list("kind", "required")) == [("single", True), ("scale", False)]
    assert survey.questions.first().options == ["Veikart", "Prismodell"]
    client.post(publish)
    survey.refresh_from_db()
    assert survey.is_published


def test_members_cannot_build_or_see_results(world: Any, login: Any, survey: Any) -> None:
    client = login(world["admin_a"])
    for name in ("survey_build", "survey_results", "survey_export_csv", "survey_export_xlsx", "survey_edit"):
        assert client.get(reverse(f"surveys:{name}", args=[survey.pk])).status_code == 403, name
    assert client.get(reverse("surveys:survey_create")).status_code == 403


def test_questions_freeze_once_answered(world: Any, login: Any) -> None:
    survey = _answered(world)
    client = login(world["membership_manager"])
    question = survey.questions.first()
    client.post(reverse("surveys:question_delete", args=[survey.pk, question.pk]))
    response = client.post(
        reverse("surveys:survey_build", args=[survey.pk]),
        {"kind": "text", "text": "Ny?", "scale_min": 1, "scale_max": 5},
    )
    assert response.status_code == 400 and survey.questions.count() == 4


def test_aggregates(world: Any) -> None:
    survey = _answered(world)
    total, results = aggregate(survey, Response.objects.filter(survey=survey))
    assert total == 3
    single, multiple, scale, text = results
    assert [(r.count, r.percent) for r in single.rows] == [(1, 33), (0, 0), (2, 66)]
    assert multiple.answered == 2 and [r.count for r in multiple.rows] == [2, 1, 0]
    assert scale.mean == 10 / 3 and [r.count for r in scale.rows] == [1, 0, 0, 1, 1]
    assert text.texts == ['=HYPERLINK("http://x")'] and text.answered == 1
    assert "2" in single.summary and "Prismodell" in single.summary


def test_filters_by_county_diginettverk_and_form(world: Any) -> None:
    survey = _answered(world)
    enterprise_user = UserFactory()
    RoleFactory(user=enterprise_user, organisation=world.enterprise_b, role="admin")  # an AS in Bergen
    with time_machine.travel(DURING, tick=False):
        _answer(enterprise_user, survey, world.enterprise_b, "1", [], "3")
    county_b = world.municipality_b.county

    def count(**params: Any) -> int:
        return ResponseFilter(params, queryset=Response.objects.filter(survey=survey)).qs.count()

    assert count(county=county_b.pk) == 2  # Bergen kommune + the AS addressed there
    assert count(county=world.municipality_a.county.pk) == 2
    assert count(diginettverk=world.municipality_a.diginettverk.pk) == 2
    assert count(form="AS") == 1
    assert count(form="KOMM", county=county_b.pk) == 1
    # A bad value (an unknown county, a form that does not exist) counts every response, as no filter does.
    assert count(county="999999") == count(form="NOPE") == count() == 4


def test_results_page_has_chart_summary_and_table(world: Any, login: Any, django_assert_max_num_queries: Any) -> None:
    survey = _answered(world)
    client = login(world["membership_manager"])
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("surveys:survey_results", args=[survey.pk]), {"county": world.municipality_a.county.pk}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 3 and "<caption" in html and "<desc" in html
    assert "2 responses" in html or "2 svar" in html


def test_exports_are_formula_safe(world: Any, login: Any) -> None:
    survey = _answered(world)
    client = login(world["membership_manager"])
    csv_text = client.get(reverse("surveys:survey_export_csv", args=[survey.pk])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "Ringsaker" in csv_text and "Mette" not in csv_text
    xlsx = client.get(reverse("surveys:survey_export_xlsx", args=[survey.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    assert cells['=HYPERLINK("http://x")'].quotePrefix  # text, kept text, no visible apostrophe
    assert all(cell.data_type != "f" for cell in cells.values())
    filtered = client.get(reverse("surveys:survey_export_csv", args=[survey.pk]), {"form": "AS"}).content.decode(
        "utf-8-sig"
    )
    assert filtered.count("\r\n") == 1  # the header only


@pytest.mark.parametrize("params", [{"county": "not-a-number"}, {"form": "NOPE"}, {"diginettverk": "999999"}])
def test_a_bad_filter_on_the_results_page_counts_every_response_and_says_why(
    world: Any, login: Any, params: dict[str, str]
) -> None:
    survey = _answered(world)
    client = login(world["membership_manager"])
    response = client.get(reverse("surveys:survey_results", args=[survey.pk]), params)
    assert response.status_code == 200 and response.context["total"] == 3
    assert response.context["filters"].errors
    export = client.get(reverse("surveys:survey_export_csv", args=[survey.pk]), params)
    assert export.status_code == 200 and export.content.decode("utf-8-sig").count("\r\n") == 4  # header + 3

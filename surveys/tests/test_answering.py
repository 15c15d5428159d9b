"""Answering: once per person or once per organisation (database constraints), required questions,
the period and the audience."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from organisations.tests.factories import RoleFactory, UserFactory
from surveys.models import Answer, Response
from surveys.services import AlreadyAnswered, survey_answer
from surveys.tests.conftest import DURING, answer_data, build_survey


@time_machine.travel(DURING, tick=False)
def test_a_member_answers_once(world: Any, login: Any, survey: Any) -> None:
    client = login(world["member_a"])
    url = reverse("surveys:survey_answer", args=[survey.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, answer_data(survey, world.org_a, single=2, multiple=(0, 1), scale=5, text="Mer om HelseID")
    )
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.user == world["member_a"] and stored.organisation == world.org_a
    by_kind = {a.question.kind: a for a in Answer.objects.filter(response=stored).select_related("question")}
    assert by_kind["single"].choices == [2] and by_kind["multiple"].choices == [0, 1]
    assert by_kind["scale"].number == 5 and by_kind["text"].text == "Mer om HelseID"
    # A second time: the page thanks and offers no form; a forced POST stores nothing.
    again = client.get(url).content.decode()
    assert "survey-form" not in again and ("Thank you" in again or "Takk" in again)
    client.post(url, answer_data(survey, world.org_a))
    assert Response.objects.count() == 1
    with pytest.raises(AlreadyAnswered):
        survey_answer(
            actor=world["member_a"],
            survey=survey,
            organisation=world.org_a,
            values={q.pk: v for q, v in zip(survey.questions.all(), ["0", [], "3", ""], strict=True)},
        )


@time_machine.travel(DURING, tick=False)
def test_per_person_lets_colleagues_answer_too(world: Any, survey: Any) -> None:
    values = lambda s: {q.pk: v for q, v in zip(s.questions.all(), ["1", [], "3", ""], strict=True)}  # noqa: E731
    survey_answer(actor=world["member_a"], survey=survey, organisation=world.org_a, values=values(survey))
    survey_answer(actor=world["admin_a"], survey=survey, organisation=world.org_a, values=values(survey))
    assert Response.objects.filter(survey=survey).count() == 2


@time_machine.travel(DURING, tick=False)
def test_per_organisation_takes_one_answer_per_organisation(world: Any) -> None:
    survey = build_survey(per="organisation")
    values = {q.pk: v for q, v in zip(survey.questions.all(), ["1", [], "3", ""], strict=True)}
    survey_answer(actor=world["member_a"], survey=survey, organisation=world.org_a, values=values)
    with pytest.raises(AlreadyAnswered):
        survey_answer(actor=world["admin_a"], survey=survey, organisation=world.org_a, values=values)
    survey_answer(actor=world["admin_b"], survey=survey, organisation=world.org_b, values=values)
    assert Response.objects.filter(survey=survey).count() == 2
    # The database itself refuses a second row for the organisation.
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, user=world["admin_a"], organisation=world.org_a, per_organisation=True)


@time_machine.travel(DURING, tick=False)
def test_the_database_refuses_a_second_answer_per_person(world: Any, survey: Any) -> None:
    Response.objects.create(survey=survey, user=world["member_a"], organisation=world.org_a, per_organisation=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, user=world["member_a"], organisation=world.org_a, per_organisation=False)


@time_machine.travel(DURING, tick=False)
def test_required_questions_and_bad_values_store_nothing(world: Any, login: Any, survey: Any) -> None:
    client = login(world["member_a"])
    url = reverse("surveys:survey_answer", args=[survey.pk])
    data = answer_data(survey, world.org_a)
    q = list(survey.questions.all())
    for broken in ({f"q{q[0].pk}": ""}, {f"q{q[2].pk}": "9"}, {f"q{q[0].pk}": "7"}):
        response = client.post(url, {**data, **broken})
        assert response.status_code == 400
    assert not Response.objects.exists() and not Answer.objects.exists()
    # The optional ones may be left empty.
    assert client.post(url, {**data, f"q{q[1].pk}": [], f"q{q[3].pk}": ""}).status_code == 302


def test_the_period_is_enforced(world: Any, survey: Any) -> None:
    values = {q.pk: v for q, v in zip(survey.questions.all(), ["1", [], "3", ""], strict=True)}
    for moment in ("2026-02-28 12:00 +0100", "2026-04-01 10:00 +0200"):
        with time_machine.travel(moment, tick=False), pytest.raises(ValidationError):
            survey_answer(actor=world["member_a"], survey=survey, organisation=world.org_a, values=values)
    assert not Response.objects.exists()


@time_machine.travel(DURING, tick=False)
def test_the_audience_and_the_organisation_are_enforced(world: Any, login: Any) -> None:
    survey = build_survey(audience=["AS"])
    values = {q.pk: v for q, v in zip(survey.questions.all(), ["1", [], "3", ""], strict=True)}
    with pytest.raises(PermissionDenied):
        survey_answer(actor=world["member_a"], survey=survey, organisation=world.org_a, values=values)
    open_for_all = build_survey()
    with pytest.raises(PermissionDenied):  # not one's own organisation
        survey_answer(actor=world["member_a"], survey=open_for_all, organisation=world.org_b, values=values | {})
    # A person with no role anywhere sees the survey but no form.
    page = login(UserFactory()).get(reverse("surveys:survey_answer", args=[open_for_all.pk]))
    assert page.status_code == 200 and b'<form method="post" novalidate class="narrow survey-form">' not in page.content
    # A draft is not found by members.
    draft = build_survey(published=False)
    assert login(world["member_a"]).get(reverse("surveys:survey_answer", args=[draft.pk])).status_code == 404


@time_machine.travel(DURING, tick=False)
def test_the_member_list_shows_open_surveys_for_them(world: Any, login: Any, survey: Any) -> None:
    build_survey(audience=["AS"])
    page = login(world["member_a"]).get(reverse("surveys:survey_list")).content.decode()
    assert page.count("Fem minutter") == 1


@time_machine.travel(DURING, tick=False)
def test_a_person_in_two_organisations_answers_for_each_per_organisation(world: Any) -> None:
    survey = build_survey(per="organisation")
    RoleFactory(user=world["member_a"], organisation=world.org_b, role="technical_contact")
    values = {q.pk: v for q, v in zip(survey.questions.all(), ["1", [], "3", ""], strict=True)}
    survey_answer(actor=world["member_a"], survey=survey, organisation=world.org_a, values=values)
    survey_answer(actor=world["member_a"], survey=survey, organisation=world.org_b, values=values)
    assert Response.objects.filter(survey=survey).count() == 2


@time_machine.travel(DURING, tick=False)
def test_a_colleague_sees_that_the_organisation_has_answered(world: Any, login: Any) -> None:
    survey = build_survey(per="organisation")
    url = reverse("surveys:survey_answer", args=[survey.pk])
    assert login(world["member_a"]).post(url, answer_data(survey, world.org_a)).status_code == 302
    page = login(world["admin_a"]).get(url).content.decode()
    assert "survey-form" not in page and "Ringsaker" in page
    assert login(world["admin_a"]).post(url, answer_data(survey, world.org_a)).status_code == 302
    assert Response.objects.filter(survey=survey).count() == 1


@time_machine.travel(DURING, tick=False)
def test_the_answer_page_runs_a_bounded_number_of_queries(
    world: Any, login: Any, survey: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(world["member_a"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("surveys:survey_answer", args=[survey.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("surveys:survey_list")).status_code == 200

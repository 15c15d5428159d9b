"""Writes of surveys: build (staff), publish, and answer (members), each in a transaction.

Answering validates against the survey's questions, checks the person's eligibility (a role in an
organisation of the audience, during the period) and stores the response and its answers together.
The database's unique constraints are the last line of defence for "once per person/organisation"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import Action, require
from organisations.models import Organisation
from surveys.choices import QuestionKind, SurveyState
from surveys.models import Answer, Question, Response, Survey

if TYPE_CHECKING:
    from accounts.models import User


class AlreadyAnswered(ValidationError):
    pass


def eligible_organisations(user: Any, survey: Survey) -> list[Any]:
    """The organisations ``user`` holds a role in that belong to the survey's audience."""
    organisations = Organisation.objects.held_by(user).order_by("name")
    if survey.audience_forms:
        organisations = organisations.filter(form__in=survey.audience_forms)
    return list(organisations)


def answered_by(user: Any, survey: Survey) -> Response | None:
    """The response that already counts for ``user``: their own, or (per organisation) one of their
    organisations' when they have no other organisation left to answer for."""
    if not survey.per_organisation:
        return Response.objects.filter(survey=survey, user=user).first()
    organisations = eligible_organisations(user, survey)
    done = Response.objects.filter(survey=survey, organisation__in=organisations)
    if organisations and done.count() >= len(organisations):
        return done.first()
    return None


@transaction.atomic
def survey_save(*, actor: User, survey: Survey) -> Survey:
    require(actor, Action.ENGAGEMENT_MANAGE)
    if survey.pk and survey.responses.exists():
        before = Survey.objects.get(pk=survey.pk)
        if before.answer_per != survey.answer_per:
            raise ValidationError({"answer_per": _("Who answers cannot change once answers have come in.")})
    survey.full_clean()
    if survey.pk is None:
        survey.created_by = actor
    survey.save()
    return survey


@transaction.atomic
def question_add(*, actor: User, survey: Survey, question: Question) -> Question:
    require(actor, Action.ENGAGEMENT_MANAGE)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.responses.exists():
        raise ValidationError(_("The questions cannot change once answers have come in."))
    question.survey = survey
    question.position = (survey.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        question.options = []
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    require(actor, Action.ENGAGEMENT_MANAGE)
    if Response.objects.filter(survey_id=question.survey_id).exists():
        raise ValidationError(_("The questions cannot change once answers have come in."))
    question.delete()


@transaction.atomic
def survey_publish(*, actor: User, survey: Survey) -> Survey:
    require(actor, Action.ENGAGEMENT_MANAGE)
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before publishing."))
    survey.is_published = True
    survey.save(update_fields=["is_published", "updated_at"])
    return survey


def _clean_answer(question: Question, raw: Any) -> Answer | None:
    """An unsaved Answer from a form value, or None when the question was left empty (and may be)."""
    empty = raw in (None, "", [], ())
    if empty:
        if question.required:
            raise ValidationError({f"q{question.pk}": _("Answer this question.")})
        return None
    answer = Answer(question=question)
    if question.kind == QuestionKind.SINGLE:
        index = int(raw)
        if not 0 <= index < len(question.options):
            raise ValidationError({f"q{question.pk}": _("Choose one of the choices.")})
        answer.choices = [index]
    elif question.kind == QuestionKind.MULTIPLE:
        indexes = sorted({int(v) for v in raw})
        if not all(0 <= i < len(question.options) for i in indexes):
            raise ValidationError({f"q{question.pk}": _("Choose among the choices.")})
        answer.choices = indexes
    elif question.kind == QuestionKind.SCALE:
        number = int(raw)
        if number not in question.scale_values:
            raise ValidationError({f"q{question.pk}": _("Choose a number on the scale.")})
        answer.number = number
    else:
        answer.text = str(raw).strip()[:3000]
    return answer


@transaction.atomic
def survey_answer(*, actor: User, survey: Survey, organisation: Any, values: dict[int, Any]) -> Response:
    """Store ``actor``'s answers for ``organisation``. ``values`` maps question id to the form's value
    (an index as text, a list of them, a number, or text). Raises PermissionDenied when the person may
    not answer for that organisation, ValidationError when the survey is not open or an answer is
    missing or invalid, AlreadyAnswered when the person (or organisation) has answered."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != SurveyState.OPEN:
        raise ValidationError(_("This survey is not open."))
    if organisation is None or organisation.pk not in {o.pk for o in eligible_organisations(actor, survey)}:
        raise PermissionDenied
    questions = list(survey.questions.all())
    answers = [a for q in questions if (a := _clean_answer(q, values.get(q.pk))) is not None]
    response = Response(
        survey=survey, user=actor, organisation=organisation, per_organisation=survey.per_organisation,
        submitted_at=timezone.now(),
    )  # fmt: skip
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        if survey.per_organisation:
            raise AlreadyAnswered(_("%(org)s has already answered this survey.") % {"org": organisation.name}) from None
        raise AlreadyAnswered(_("You have already answered this survey.")) from None
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    return response

"""Five-minute surveys: NHN asks its members short questions and sees the answers by county,
Diginettverk and organisation form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from surveys.choices import SURVEY_STATE_COLOURS, AnswerPer, QuestionKind, SurveyState


def empty_list() -> list[Any]:
    return []


class Survey(TimeStampedModel):
    """A short survey. Staff choose the audience (organisation forms; none means every member), the
    period it is open, and whether each person or each organisation answers once. Once anyone has
    answered, the questions are frozen."""

    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), max_length=2000, blank=True)
    audience_forms = models.JSONField(
        _("audience"), default=empty_list, blank=True,
        help_text=_("Organisation forms that may answer. None chosen: every member."),
    )  # fmt: skip
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    answer_per = models.CharField(_("who answers"), max_length=20, choices=AnswerPer.choices, default=AnswerPer.PERSON)
    is_published = models.BooleanField(_("published"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="survey_closes_after_open", condition=Q(closes_at__gt=models.F("opens_at"))),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey_answer", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The survey must close after it opens.")})

    @property
    def state(self) -> SurveyState:
        now = timezone.now()
        if not self.is_published:
            return SurveyState.DRAFT
        if now < self.opens_at:
            return SurveyState.SCHEDULED
        if now >= self.closes_at:
            return SurveyState.CLOSED
        return SurveyState.OPEN

    @property
    def state_colour(self) -> str:
        return SURVEY_STATE_COLOURS[self.state]

    @property
    def per_organisation(self) -> bool:
        return self.answer_per == AnswerPer.ORGANISATION


class Question(models.Model):
    """One question of a survey. Choices are stored as a list of texts; answers refer to them by index."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("choices"), default=empty_list, blank=True)
    scale_min = models.PositiveSmallIntegerField(_("scale from"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("scale to"), default=5)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.CheckConstraint(name="question_scale_order", condition=Q(scale_min__lt=models.F("scale_max"))),
            models.CheckConstraint(name="question_kind_valid", condition=Q(kind__in=QuestionKind.values)),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        super().clean()
        if self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = (
                [o for o in self.options if isinstance(o, str) and o.strip()] if isinstance(self.options, list) else []
            )
            if len(options) < 2:
                raise ValidationError({"options": _("Give at least two choices, one per line.")})
            if len(set(options)) != len(options):
                raise ValidationError({"options": _("Each choice must be different.")})
        if self.kind == QuestionKind.SCALE and not (self.scale_min < self.scale_max <= 10):
            raise ValidationError({"scale_max": _("A scale runs from a lower to a higher number, at most 10.")})

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Response(models.Model):
    """One person's (or one organisation's) answers to a survey. ``per_organisation`` copies the
    survey's rule at the time of answering, so the database's unique constraints can enforce it:
    once per person, or once per organisation."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    per_organisation = models.BooleanField(editable=False, verbose_name=_("per organisation"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(per_organisation=False), name="survey_response_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["survey", "organisation"],
                condition=Q(per_organisation=True),
                name="survey_response_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.organisation_id}"


class Answer(models.Model):
    """The answer to one question in a response: chosen indexes, a number on the scale, or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question"))
    choices = models.JSONField(default=empty_list, blank=True, verbose_name=_("choices"))
    number = models.SmallIntegerField(null=True, blank=True, verbose_name=_("number"))
    text = models.TextField(blank=True, max_length=3000, verbose_name=_("text"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"

"""Choices of surveys."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


class AnswerPer(models.TextChoices):
    PERSON = "person", _("Once per person")
    ORGANISATION = "organisation", _("Once per organisation")


class SurveyState(models.TextChoices):
    """Derived from publication and the period, never stored."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Not yet open")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


SURVEY_STATE_COLOURS = {
    SurveyState.DRAFT: "grey",
    SurveyState.SCHEDULED: "blue",
    SurveyState.OPEN: "green",
    SurveyState.CLOSED: "grey",
}

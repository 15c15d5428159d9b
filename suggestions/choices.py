"""Choices of topic suggestions, each status with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionCategory(models.TextChoices):
    """The deck's suggestions so far, and room for more."""

    ROADMAP = "roadmap", _("Roadmap for national services")
    SERVICES_TOGETHER = "services_together", _("How NHN's services fit together")
    PRICE_MODEL = "price_model", _("Price model and management")
    OTHER = "other", _("Other")


class SuggestionStatus(models.TextChoices):
    NEW = "new", _("New")
    PLANNED = "planned", _("Planned")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Not planned")


SUGGESTION_STATUS_COLOURS = {
    SuggestionStatus.NEW: "blue",
    SuggestionStatus.PLANNED: "amber",
    SuggestionStatus.ANSWERED: "green",
    SuggestionStatus.DECLINED: "grey",
}

"""Topic suggestions (innspill): what members want NHN to hold webinars about or explain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import HttpsURLField, TimeStampedModel
from suggestions.choices import SUGGESTION_STATUS_COLOURS, SuggestionCategory, SuggestionStatus


class Suggestion(TimeStampedModel):
    """A topic a member suggests for a webinar or for information from NHN. Others support it (once
    each); NHN's staff set a status and answer, with a link to the event or page that answers it."""

    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("what would you like to know?"), max_length=3000, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=SuggestionCategory.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    answer = models.TextField(_("answer"), max_length=3000, blank=True)
    answer_url = HttpsURLField(_("link to the answer"), blank=True, help_text=_("A page that answers the topic."))
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("event"),
        help_text=_("The webinar or event about this topic."),
    )

    class Meta:
        verbose_name = _("topic suggestion")
        verbose_name_plural = _("topic suggestions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="suggestion_status_valid", condition=Q(status__in=SuggestionStatus.values)),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("suggestions:suggestion_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return SUGGESTION_STATUS_COLOURS[SuggestionStatus(self.status)]


class SuggestionSupport(models.Model):
    """One person's support ("I want this too") for a suggestion: at most once, by database constraint."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="supports", verbose_name=_("suggestion")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("support for a suggestion")
        verbose_name_plural = _("support for suggestions")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "user"], name="suggestion_support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.suggestion_id}"

"""Events: NHN's webinars, regional professional days, physical gatherings and meetings, and who comes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import HttpsURLField, TimeStampedModel
from events.choices import REGISTRATION_STATUS_COLOURS, EventKind, RegistrationStatus


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(is_published=True)

    def public(self) -> EventQuerySet:
        """What anyone may see without logging in: published webinars marked open to everyone."""
        return self.published().filter(is_public=True, kind=EventKind.WEBINAR)

    def upcoming(self) -> EventQuerySet:
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at")


class Event(TimeStampedModel):
    """A webinar, regional professional day (fagdag), physical gathering or meeting that NHN holds for
    its members. Times are stored in UTC and shown in Norwegian time (Europe/Oslo). After the event,
    NHN adds the materials and the link to the recording."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    description = models.TextField(_("description"), max_length=5000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("An address, for events in person."))
    online_url = HttpsURLField(_("link to join"), blank=True, help_text=_("Shown to those registered."))
    audience = models.CharField(
        _("audience"), max_length=200, help_text=_("For example: municipalities, IT managers, security officers.")
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit. When it is full, a waiting list opens."),
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    materials = models.TextField(
        _("materials"), blank=True, max_length=5000, help_text=_("Links to slides and documents, one per line.")
    )
    recording_url = HttpsURLField(_("link to the recording"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    is_public = models.BooleanField(
        _("open to everyone"),
        default=False,
        help_text=_(
            "A webinar anyone may see without logging in, with its recording and materials. "
            "Signing up still needs a login."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(name="event_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(
                name="event_capacity_positive", condition=Q(capacity__isnull=True) | Q(capacity__gte=1)
            ),
        ]
        indexes = [
            # The list: published events by start time.
            models.Index(fields=["is_published", "starts_at"], name="event_published_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The event must end after it starts.")})
        if self.is_public and self.kind != EventKind.WEBINAR:
            raise ValidationError({"is_public": _("Only webinars can be open to everyone.")})
        if not self.place and not self.online_url:
            raise ValidationError({"place": _("Give a place or a link to join.")})

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def material_links(self) -> list[str]:
        return [
            line.strip() for line in self.materials.splitlines() if line.strip().startswith(("https://", "http://"))
        ]


class Registration(TimeStampedModel):
    """A person's place at an event: registered, on the waiting list (in order of registration), or
    cancelled. One row per person and event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    # When the person joined the waiting list (or registered): the waiting list's order.
    queued_at = models.DateTimeField(_("registered"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved from the waiting list"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_person"),
            models.CheckConstraint(name="registration_status_valid", condition=Q(status__in=RegistrationStatus.values)),
        ]
        indexes = [
            # Counting places taken and finding the first on the waiting list.
            models.Index(fields=["event", "status", "queued_at"], name="registration_event_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}"

    @property
    def status_colour(self) -> str:
        return REGISTRATION_STATUS_COLOURS[RegistrationStatus(self.status)]

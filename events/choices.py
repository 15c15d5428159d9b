"""Choices of events, each status with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    PROFESSIONAL_DAY = "professional_day", _("Regional professional day")
    GATHERING = "gathering", _("Physical gathering")
    MEETING = "meeting", _("Meeting")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


REGISTRATION_STATUS_COLOURS = {
    RegistrationStatus.CONFIRMED: "green",
    RegistrationStatus.WAITLISTED: "amber",
    RegistrationStatus.CANCELLED: "grey",
}

"""Choices of incident reports, each with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


INCIDENT_STATUS_COLOURS = {
    IncidentStatus.RECEIVED: "blue",
    IncidentStatus.IN_PROGRESS: "amber",
    IncidentStatus.CLOSED: "grey",
}


class DataImpact(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Do not know yet")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed the incident")
    DOWNLOAD = "download", _("Downloaded an attachment")

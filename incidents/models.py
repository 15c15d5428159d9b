"""Incident reports from members to HelseCERT: messages both ways, attachments kept outside the web
root, and a log of every view. Only CERT analysts and the reporting organisation see an incident
(``Incident.objects.visible_to``); everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.permissions import Action, can, visibility
from incidents.choices import INCIDENT_STATUS_COLOURS, AccessAction, DataImpact, IncidentStatus


class IncidentQuerySet(models.QuerySet["Incident"]):
    def visible_to(self, user: Any) -> IncidentQuerySet:
        """CERT analysts see every incident; a person sees those of organisations they hold a role in.
        A Diginettverk coordinator does not see the municipalities' incidents, nor does other NHN staff."""
        if can(user, Action.INCIDENT_TRIAGE):
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(organisation_id__in=visibility(user).organisation_ids)


class Incident(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("organisation")
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    title = models.CharField(_("short title"), max_length=200)
    what_happened = models.TextField(_("what happened"), max_length=10_000)
    discovered_at = models.DateTimeField(_("discovered at"))
    affected_systems = models.TextField(_("affected systems and services"), max_length=5000, blank=True)
    personal_data = models.CharField(
        _("may personal data be affected?"), max_length=8, choices=DataImpact.choices, default=DataImpact.UNKNOWN
    )
    health_data = models.CharField(
        _("may health data be affected?"), max_length=8, choices=DataImpact.choices, default=DataImpact.UNKNOWN
    )
    ongoing = models.BooleanField(_("still ongoing"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact e-mail"))
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.RECEIVED
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("reported"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="incident_status_valid", condition=Q(status__in=IncidentStatus.values)),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="incident_status_created_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return INCIDENT_STATUS_COLOURS[IncidentStatus(self.status)]

    @property
    def time_to_first_response(self) -> Any:
        return self.first_response_at - self.created_at if self.first_response_at else None


class IncidentMessage(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_cert = models.BooleanField(_("from HelseCERT"), default=False)
    body = models.TextField(_("message"), max_length=10_000)
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("incident message")
        verbose_name_plural = _("incident messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.body[:40]}"


class IncidentAttachment(models.Model):
    """A file attached to an incident. Stored under a generated name outside the web root; served
    only through a permission-checked view, as a download."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        IncidentMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    original_name = models.CharField(_("file name"), max_length=150)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("incident attachment")
        verbose_name_plural = _("incident attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class IncidentAccessLog(models.Model):
    """Who opened which incident, when: the member's administrator can read it (Normen's right to
    see who accessed one's data)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="access_log")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    user_label = models.CharField(_("person"), max_length=300)
    action = models.CharField(_("what"), max_length=12, choices=AccessAction.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("incident access")
        verbose_name_plural = _("incident accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "at"], name="incident_access_org_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.incident_id}"

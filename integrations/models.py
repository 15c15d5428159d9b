"""API tokens, webhook endpoints and the log of webhook deliveries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.choices import DELIVERY_STATE_COLOURS, DeliveryState


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        """Not revoked and not past its expiry day (Europe/Oslo)."""
        today = timezone.localdate()
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today), revoked_at__isnull=True)


class ApiToken(models.Model):
    """A secret with which a system calls the API on behalf of one organisation (or, national, on behalf
    of NHN's own systems, read-only). The token itself is shown once when it is made; only its SHA-256 is
    stored, with its first characters so a person can tell tokens apart. It acts within what its owner —
    the person who made it — may still do: a token stops working when its owner's account is deactivated
    or its owner may no longer make it (an administrator who has left the organisation)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("organisation"),
        help_text=_("Empty: a national token for NHN's own systems (read-only)."),
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    description = models.CharField(_("description"), max_length=200)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    write_enabled = models.BooleanField(_("may write"), default=False)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="national_token_is_read_only",
                condition=Q(organisation__isnull=False) | Q(write_enabled=False),
            ),
        ]
        indexes = [
            # The organisation's token page lists its tokens, newest first.
            models.Index(fields=["organisation", "created_at"], name="apitoken_org_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.description}"

    @property
    def is_national(self) -> bool:
        return self.organisation_id is None

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= timezone.localdate())


class WebhookEndpoint(models.Model):
    """Where an organisation (or NHN, national) wants to hear of events: an https URL, the event types, and
    the signing secret (Standard Webhooks, ``whsec_…``, shown once). Switched off after repeated failures or
    a 410 Gone; the owner switches it on again."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why switched off"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event for one endpoint, with every attempt's outcome: the delivery log the owner reads."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(_("event"), max_length=40)
    event_key = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    state = models.CharField(_("state"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_key"], condition=~Q(event_key=""), name="one_delivery_per_event_key"
            ),
        ]
        indexes = [
            # The delivery log: an endpoint's deliveries, newest first.
            models.Index(fields=["endpoint", "created_at"], name="delivery_endpoint_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.state})"

    @property
    def state_colour(self) -> str:
        return DELIVERY_STATE_COLOURS[DeliveryState(self.state)]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.message_id, "type": self.event_type, "state": self.state}

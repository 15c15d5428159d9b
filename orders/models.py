"""Orders of services: from submitted to delivered (or rejected, or cancelled), with every step kept."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from orders.choices import OPEN_STATES, ORDER_STATE_COLOURS, EventKind, OrderState
from organisations.querysets import scoped_to_visible_organisations


class OrderQuerySet(models.QuerySet["Order"]):
    def open(self) -> OrderQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def visible_to(self, user: Any) -> OrderQuerySet:
        return scoped_to_visible_organisations(self, user)


class Order(TimeStampedModel):
    """One service ordered by one organisation. The state changes only through orders.services."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="orders", verbose_name=_("organisation")
    )
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, related_name="orders", verbose_name=_("service")
    )
    terms_version = models.ForeignKey(
        "services.ServiceTermsVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("terms version")
    )
    signing = models.ForeignKey(
        "services.ServiceSigning", on_delete=models.PROTECT, related_name="orders", verbose_name=_("signing")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    state = models.CharField(_("state"), max_length=20, choices=OrderState.choices, default=OrderState.SUBMITTED)
    state_since = models.DateTimeField(_("in this state since"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_orders",
        verbose_name=_("assignee"),
    )
    note = models.TextField(_("note from the member"), blank=True, max_length=2000)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service"],
                condition=Q(state__in=sorted(OPEN_STATES)),
                name="one_open_order_per_service",
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.service} – {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("orders:order_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"B-{self.pk:06d}"

    @property
    def state_colour(self) -> str:
        return ORDER_STATE_COLOURS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class OrderEvent(models.Model):
    """A step in an order's life: submitted, a state change, an assignment or a comment."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    kind = models.CharField(max_length=12, choices=EventKind.choices, verbose_name=_("kind"))
    from_state = models.CharField(max_length=20, choices=OrderState.choices, blank=True, verbose_name=_("from state"))
    to_state = models.CharField(max_length=20, choices=OrderState.choices, blank=True, verbose_name=_("to state"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    comment = models.TextField(blank=True, max_length=4000, verbose_name=_("comment"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order.reference} {self.kind} {self.at:%Y-%m-%d %H:%M}"

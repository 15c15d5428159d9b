"""The connection registry: every member's Helsenett connection, its history, and its outages;
a member's connection assessment, cloud EPJ decision aid, request to end its own access, and request to
change what its agreement with NHN fixes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections.choices import (
    CHANGE_REQUEST_STATUS_COLOURS,
    CONNECTION_STATUS_COLOURS,
    STATUS_DATE_FIELDS,
    TERMINATION_STATUS_COLOURS,
    ChangeKind,
    ChangeRequestStatus,
    ConnectionStatus,
    Redundancy,
    TerminationStatus,
)
from core.models import TimeStampedModel
from core.permissions import visibility
from organisations.querysets import scoped_to_visible_organisations

# Membership states in which an organisation is a member in force (memberships.choices.MembershipState):
# "must sign new terms" is still a member until its deadline passes and it is blocked.
MEMBERSHIP_IN_FORCE = ("active", "must_resign")


class ConnectionType(models.Model):
    """A kind of Helsenett connection (direct NHN line, via a municipal network, via an EPJ vendor's
    cloud, a shared line …). Staff maintain the list; the four standard types are seeded."""

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Used in CSV imports."))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order in lists"), default=100)

    class Meta:
        verbose_name = _("connection type")
        verbose_name_plural = _("connection types")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ConnectionQuerySet(models.QuerySet["Connection"]):
    def visible_to(self, user: Any) -> ConnectionQuerySet:
        """Staff see every connection; a member sees the connections its organisations own or share;
        a coordinator also those owned by the municipalities of their Diginettverk."""
        scope = visibility(user)
        if scope.everything:
            return self
        condition = Q(organisation_id__in=scope.organisation_ids)
        shared = Connection.shared_with.through.objects.filter(organisation_id__in=scope.organisation_ids)
        condition |= Q(pk__in=shared.values("connection_id"))
        if scope.network_ids:
            condition |= Q(organisation__form="KOMM", organisation__municipality__diginettverk_id__in=scope.network_ids)
        return self.filter(condition)

    def with_flags(self) -> ConnectionQuerySet:
        """Annotate ``membership_flag``: an active connection whose owner is not a member in force."""
        return self.annotate(
            owner_membership_state=F("organisation__membership__state"),
            membership_flag=Case(
                When(
                    Q(status=ConnectionStatus.ACTIVE)
                    & (
                        Q(organisation__membership__isnull=True)
                        | ~Q(organisation__membership__state__in=MEMBERSHIP_IN_FORCE)
                    ),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def flagged(self) -> ConnectionQuerySet:
        return self.with_flags().filter(membership_flag=True)  # type: ignore[misc]  # annotated by with_flags()

    def in_use(self) -> ConnectionQuerySet:
        """Connections that are, or are about to be, a member's link to Helsenettet."""
        return self.exclude(status=ConnectionStatus.DECOMMISSIONED)


class Connection(TimeStampedModel):
    """A Helsenett connection (helsenettforbindelse): the line that links a site to the backbone.

    One organisation owns it; others may share it (each still with its own membership). Changes go
    through connections.services, which writes a ConnectionChange with the values before and after."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="connections",
        verbose_name=_("owner"),
    )
    shared_with = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="shared_connections",
        verbose_name=_("shared with"),
        help_text=_("Other members that use this line; each keeps its own membership."),
    )
    site_address = models.CharField(_("site address"), max_length=255)
    site_municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site municipality"),
    )
    connection_type = models.ForeignKey(
        ConnectionType, on_delete=models.PROTECT, related_name="connections", verbose_name=_("type")
    )
    provider = models.CharField(_("provider"), max_length=150, blank=True)
    bandwidth_mbps = models.PositiveIntegerField(
        _("bandwidth (Mbit/s)"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    redundancy = models.CharField(_("redundancy"), max_length=10, choices=Redundancy.choices, default=Redundancy.SINGLE)
    uptime_target = models.DecimalField(
        _("uptime target (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.900"),
        validators=[MinValueValidator(Decimal("90")), MaxValueValidator(Decimal("100"))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.PLANNED
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    ordered_on = models.DateField(_("ordered on"), null=True, blank=True)
    activated_on = models.DateField(_("active from"), null=True, blank=True)
    decommissioned_on = models.DateField(_("decommissioned on"), null=True, blank=True)
    technical_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technical contact"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # Where a connection came from outside the form, e.g. "order:17": makes planning from an order idempotent.
    source_reference = models.CharField(_("source"), max_length=60, blank=True, editable=False)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.CheckConstraint(name="connection_status_valid", condition=Q(status__in=ConnectionStatus.values)),
            models.CheckConstraint(name="connection_bandwidth_positive", condition=Q(bandwidth_mbps__gte=1)),
            models.CheckConstraint(
                name="connection_uptime_target_range",
                condition=Q(uptime_target__gte=Decimal("90")) & Q(uptime_target__lte=Decimal("100")),
            ),
            models.CheckConstraint(
                name="connection_active_has_date",
                condition=~Q(status=ConnectionStatus.ACTIVE) | Q(activated_on__isnull=False),
            ),
            models.CheckConstraint(
                name="connection_decommissioned_has_date",
                condition=~Q(status=ConnectionStatus.DECOMMISSIONED) | Q(decommissioned_on__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["source_reference"], condition=~Q(source_reference=""), name="connection_source_once"
            ),
        ]
        indexes = [
            # The staff list filters by status (and the flags look at active connections).
            models.Index(fields=["status"], name="connection_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.site_address}"

    def get_absolute_url(self) -> str:
        return reverse("connections:connection_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return CONNECTION_STATUS_COLOURS[ConnectionStatus(self.status)]

    def clean(self) -> None:
        """The status and its dates agree: the date of the current status is set, no later status has a
        date, the dates follow each other, and none that has happened lies in the future."""
        super().clean()
        errors: dict[str, Any] = {}
        order = list(STATUS_DATE_FIELDS.items())
        current = next((i for i, (status, _f) in enumerate(order) if status == self.status), None)
        if current is None:
            return
        _status, current_field = order[current]
        if getattr(self, current_field) is None:
            errors[current_field] = _("Give the date the connection got this status.")
        for _later, name in order[current + 1 :]:
            if getattr(self, name) is not None:
                errors[name] = _("A connection with status %(status)s cannot have this date yet.") % {
                    "status": ConnectionStatus(self.status).label
                }
        today = timezone.localdate()
        for name in ("ordered_on", "activated_on", "decommissioned_on"):
            value = getattr(self, name)
            if value is not None and value > today and name not in errors:
                errors[name] = _("This date cannot be in the future.")
        previous: tuple[str, Any] | None = None
        for _s, name in order:
            value = getattr(self, name)
            if value is None:
                continue
            if previous is not None and value < previous[1] and name not in errors:
                errors[name] = _("This date cannot be before the %(field)s.") % {
                    "field": self._meta.get_field(previous[0]).verbose_name  # type: ignore[union-attr]  # a concrete date field, not a relation
                }
            previous = (name, value)
        if errors:
            raise ValidationError(errors)

    def status_on(self, day: dt.date) -> str | None:
        """The connection's status at the end of ``day``, from its status dates (None: not yet known)."""
        result = None
        for status, name in STATUS_DATE_FIELDS.items():
            value = getattr(self, name)
            if value is not None and value <= day:
                result = status
        return result

    def snapshot(self) -> dict[str, Any]:
        """The values a change is recorded with: plain JSON, readable in the history."""
        return {
            "organisation": self.organisation_id,
            "shared_with": sorted(org.pk for org in self.shared_with.all()) if self.pk else [],
            "site_address": self.site_address,
            "site_municipality": self.site_municipality_id,
            "connection_type": self.connection_type.code if self.connection_type_id else None,
            "provider": self.provider,
            "bandwidth_mbps": self.bandwidth_mbps,
            "redundancy": self.redundancy,
            "uptime_target": str(self.uptime_target),
            "status": self.status,
            "planned_on": self.planned_on.isoformat() if self.planned_on else None,
            "ordered_on": self.ordered_on.isoformat() if self.ordered_on else None,
            "activated_on": self.activated_on.isoformat() if self.activated_on else None,
            "decommissioned_on": self.decommissioned_on.isoformat() if self.decommissioned_on else None,
            "technical_contact": self.technical_contact_id,
            "notes": self.notes,
        }


class ConnectionChange(models.Model):
    """One entry in a connection's history: who changed what, when, with the values before and after."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="changes", verbose_name=_("connection")
    )
    kind = models.CharField(_("change"), max_length=24, choices=ChangeKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"))

    class Meta:
        verbose_name = _("connection change")
        verbose_name_plural = _("connection changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field's name in words, before, after) for each value that differs."""
        before = self.before or {}
        return [
            (str(Connection._meta.get_field(name).verbose_name), before.get(name), value)  # type: ignore[union-attr]  # own fields only
            for name, value in sorted(self.after.items())
            if before.get(name) != value
        ]


class Outage(TimeStampedModel):
    """A period when a connection did not reach Helsenettet. An open outage has no end yet."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="outages", verbose_name=_("connection")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True, help_text=_("Empty while the outage lasts."))
    cause = models.CharField(_("cause"), max_length=255)
    planned = models.BooleanField(_("planned maintenance"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                name="outage_ends_after_start", condition=Q(end__isnull=True) | Q(end__gt=F("start"))
            ),
        ]
        indexes = [
            # Availability reads a connection's outages in a period.
            models.Index(fields=["connection", "start"], name="outage_connection_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.start:%Y-%m-%d %H:%M}"


class OrganisationScopedQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> OrganisationScopedQuerySet:
        return scoped_to_visible_organisations(self, user)


class Assessment(models.Model):
    """A member's connection assessment: its answers about needs, and the recommendation they gave."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="connection_assessments",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("saved"))
    answers = models.JSONField(_("answers"))
    recommended_type = models.ForeignKey(
        ConnectionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("recommended type")
    )
    recommended_bandwidth_mbps = models.PositiveIntegerField(_("recommended bandwidth (Mbit/s)"))
    recommended_redundancy = models.CharField(_("recommended redundancy"), max_length=10, choices=Redundancy.choices)
    reasons = models.JSONField(_("reasons"), default=list)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("connection assessment")
        verbose_name_plural = _("connection assessments")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("connections:assessment_detail", args=[self.pk])


class CloudDecision(models.Model):
    """A member's answers to the six concerns of the decision aid "should I end my own access?"."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="cloud_decisions",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("saved"))
    vendor = models.CharField(_("EPJ vendor"), max_length=150)
    answers = models.JSONField(_("answers"))

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cloud EPJ decision")
        verbose_name_plural = _("cloud EPJ decisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.vendor}"

    def get_absolute_url(self) -> str:
        return reverse("connections:decision_detail", args=[self.pk])


class TerminationRequest(models.Model):
    """A signatory's request to end the member's own Helsenett connection, with the services that the
    member was told would stop working (kept as they were listed when the request was made)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="connection_terminations",
        verbose_name=_("organisation"),
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="termination_requests", verbose_name=_("connection")
    )
    decision = models.ForeignKey(
        CloudDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decision")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"))
    wanted_end = models.DateField(_("wanted end date"))
    reason = models.TextField(_("reason"))
    services_lost = models.JSONField(_("services that stop working"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=TerminationStatus.choices, default=TerminationStatus.SUBMITTED
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    answer = models.TextField(_("NHN's answer"), blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("termination request")
        verbose_name_plural = _("termination requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection"], condition=Q(status="submitted"), name="termination_one_open_per_connection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.requested_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("connections:termination_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return TERMINATION_STATUS_COLOURS[TerminationStatus(self.status)]


class ChangeRequest(models.Model):
    """An owner's request to change a contractual value of its connection (type, provider, bandwidth,
    redundancy, uptime target). NHN's customer centre accepts it (the connection changes, and the change
    is in its history) or rejects it with a reason; the person who asked is told either way."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="connection_change_requests"
    )
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="change_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"))
    before = models.JSONField(_("before"))
    wanted = models.JSONField(_("wanted"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.SUBMITTED
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    answer = models.TextField(_("NHN's answer"), blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("connection change request")
        verbose_name_plural = _("connection change requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="change_request_status_valid", condition=Q(status__in=ChangeRequestStatus.values)
            ),
            models.UniqueConstraint(
                fields=["connection"], condition=Q(status="submitted"), name="change_request_one_open_per_connection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.requested_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("connections:change_request_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return CHANGE_REQUEST_STATUS_COLOURS[ChangeRequestStatus(self.status)]

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field's name in words, value then, value wanted) for each value the member asks to change."""
        return [
            (str(Connection._meta.get_field(name).verbose_name), self.before.get(name), value)  # type: ignore[union-attr]  # own fields only
            for name, value in self.wanted.items()
        ]

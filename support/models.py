"""The customer centre: its opening hours, members' support requests, and requests for NHN to attend."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organisations.querysets import scoped_to_visible_organisations
from support.choices import (
    ATTENDANCE_STATUS_COLOURS,
    REQUEST_STATUS_COLOURS,
    AttendanceKind,
    AttendanceStatus,
    RequestCategory,
    RequestStatus,
)


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class OpeningHours(TimeStampedModel):
    """The customer centre's contact details and opening hours: one row, edited by the customer centre.

    Times are local time in Norway (Europe/Oslo). The centre is closed on Norwegian public holidays
    unless ``closed_on_public_holidays`` is turned off."""

    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("e-mail"))
    opens = models.TimeField(_("opens"), default=dt.time(8, 0))
    closes = models.TimeField(_("closes"), default=dt.time(20, 0))
    weekdays = models.JSONField(_("open on"), default=default_weekdays)
    closed_on_public_holidays = models.BooleanField(_("closed on public holidays"), default=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("Shown on the contact page, for example about summer hours.")
    )

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(name="support_hours_open_before_close", condition=Q(opens__lt=models.F("closes"))),
        ]

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError({"closes": _("The centre must close after it opens.")})
        days = self.weekdays
        if not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            raise ValidationError({"weekdays": _("Choose days of the week.")})


class SpecialDay(TimeStampedModel):
    """A day the customer centre keeps other hours than the week's: closed, or reduced hours (for
    example Christmas Eve). It wins over the weekly hours and over the public holidays (issue 20)."""

    date = models.DateField(_("date"), unique=True)
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Shown on the contact page, for example: Christmas Eve.")
    )

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                name="support_special_day_hours",
                condition=Q(closed=True) | Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
            ),
        ]

    def __str__(self) -> str:
        if self.closed:
            return f"{self.date:%Y-%m-%d} closed"
        return f"{self.date:%Y-%m-%d} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.closed:
            self.opens = self.closes = None
            return
        if self.opens is None or self.closes is None:
            raise ValidationError({"opens": _("Give the reduced opening hours, or mark the day as closed.")})
        if self.opens >= self.closes:
            raise ValidationError({"closes": _("The centre must close after it opens.")})


class SupportRequestQuerySet(models.QuerySet["SupportRequest"]):
    def visible_to(self, user: Any) -> SupportRequestQuerySet:
        return scoped_to_visible_organisations(self, user)


class SupportRequest(TimeStampedModel):
    """A member's question to the customer centre (kundesenteret), with the conversation that follows."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="support_requests",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=RequestCategory.choices)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_support_requests",
        verbose_name=_("assigned to"),
    )

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="support_request_status_valid", condition=Q(status__in=RequestStatus.values)),
        ]
        indexes = [
            # The agents' queue: by status, newest activity first.
            models.Index(fields=["status", "-updated_at"], name="support_request_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("support:request_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return REQUEST_STATUS_COLOURS[RequestStatus(self.status)]


class SupportMessage(models.Model):
    """One message in a support request, from the member or from the customer centre."""

    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    from_staff = models.BooleanField(_("from the customer centre"), default=False)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("support message")
        verbose_name_plural = _("support messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.body[:40]}"


class AttendanceRequestQuerySet(models.QuerySet["AttendanceRequest"]):
    def visible_to(self, user: Any) -> AttendanceRequestQuerySet:
        return scoped_to_visible_organisations(self, user)


class AttendanceRequest(TimeStampedModel):
    """A member asks NHN to take part in its webinar, physical gathering or meeting."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="attendance_requests",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttendanceKind.choices)
    topic = models.CharField(
        _("what"), max_length=200, help_text=_("The occasion and what you want NHN to talk about.")
    )
    starts_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200, help_text=_("An address, or online."))
    audience_size = models.PositiveIntegerField(_("expected audience"))
    details = models.TextField(_("more about it"), max_length=3000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.NEW
    )
    answer = models.TextField(_("NHN's answer"), max_length=3000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = AttendanceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request for NHN to attend")
        verbose_name_plural = _("requests for NHN to attend")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="attendance_audience_positive", condition=Q(audience_size__gte=1)),
            models.CheckConstraint(
                name="attendance_answered_has_answer",
                condition=Q(status=AttendanceStatus.NEW) | (Q(answered_at__isnull=False) & ~Q(answer="")),
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("support:attendance_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return ATTENDANCE_STATUS_COLOURS[AttendanceStatus(self.status)]

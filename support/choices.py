"""Choices of the customer centre, each status with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestCategory(models.TextChoices):
    MEMBERSHIP = "membership", _("Membership and terms")
    CONNECTION = "connection", _("Connection to Helsenettet")
    SERVICES = "services", _("National services")
    ACCESS = "access", _("Access and login")
    INVOICE = "invoice", _("Invoices and prices")
    SECURITY = "security", _("Information security")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the member")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


REQUEST_STATUS_COLOURS = {
    RequestStatus.OPEN: "blue",
    RequestStatus.IN_PROGRESS: "amber",
    RequestStatus.WAITING: "amber",
    RequestStatus.RESOLVED: "green",
    RequestStatus.CLOSED: "grey",
}
# Statuses in which the customer centre still has work to do: the queue's default view.
ACTIVE_STATUSES = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS, RequestStatus.WAITING)


class AttendanceKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    GATHERING = "gathering", _("Physical gathering")
    MEETING = "meeting", _("Meeting")


class AttendanceStatus(models.TextChoices):
    NEW = "new", _("Received")
    ACCEPTED = "accepted", _("NHN will attend")
    DECLINED = "declined", _("NHN cannot attend")


ATTENDANCE_STATUS_COLOURS = {
    AttendanceStatus.NEW: "blue",
    AttendanceStatus.ACCEPTED: "green",
    AttendanceStatus.DECLINED: "grey",
}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")

"""Choices of the connection registry, each status with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionStatus(models.TextChoices):
    """Where a Helsenett connection (helsenettforbindelse) stands: from planned to decommissioned."""

    PLANNED = "planned", _("Planned")
    ORDERED = "ordered", _("Ordered")
    ACTIVE = "active", _("Active")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


CONNECTION_STATUS_COLOURS = {
    ConnectionStatus.PLANNED: "blue",
    ConnectionStatus.ORDERED: "amber",
    ConnectionStatus.ACTIVE: "green",
    ConnectionStatus.DECOMMISSIONED: "grey",
}

# The date field that records when a connection reached each status (the before/after view reads them).
STATUS_DATE_FIELDS = {
    ConnectionStatus.PLANNED: "planned_on",
    ConnectionStatus.ORDERED: "ordered_on",
    ConnectionStatus.ACTIVE: "activated_on",
    ConnectionStatus.DECOMMISSIONED: "decommissioned_on",
}


class Redundancy(models.TextChoices):
    """How many independent paths the connection has to the backbone (Stamnett)."""

    SINGLE = "single", _("Single line")
    DUAL = "dual", _("Dual lines")
    DIVERSE = "diverse", _("Dual lines on diverse routes")


# Higher is more robust: used to compare a connection with a recommendation.
REDUNDANCY_RANK = {Redundancy.SINGLE: 1, Redundancy.DUAL: 2, Redundancy.DIVERSE: 3}


class ChangeKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")
    IMPORTED = "imported", _("Imported")
    PLANNED_FROM_ORDER = "planned_from_order", _("Planned from an order")
    MOVED_ON_MERGER = "moved_on_merger", _("Moved to the new organisation after a merger")
    MEMBER_CORRECTED = "member_corrected", _("Corrected by the member")
    REQUEST_ACCEPTED = "request_accepted", _("Changed at the member's request")


class Flag(models.TextChoices):
    """What the registry warns about."""

    MEMBERSHIP_NOT_ACTIVE = "membership_not_active", _("Active, but the owner's membership is not in force")
    MEMBER_WITHOUT_CONNECTION = "member_without_connection", _("Member without a connection")


# Standard connection type codes, seeded by migration; staff may add more types.
TYPE_DIRECT = "direct"
TYPE_MUNICIPAL_NETWORK = "municipal_network"
TYPE_CLOUD_EPJ = "cloud_epj"
TYPE_SHARED = "shared"


# --- the assessment ------------------------------------------------------------------------------


class UptimeNeed(models.TextChoices):
    NORMAL = "normal", _("Office hours: a short stop can wait")
    HIGH = "high", _("Every day: a stop disrupts patient care")
    CRITICAL = "critical", _("Around the clock: emergency services, home care alarms, nursing homes")


class SecurityLevel(models.TextChoices):
    NORMAL = "normal", _("Normal: messages and national services")
    HIGH = "high", _("High: we store or process much health information ourselves")


class DataProcessing(models.TextChoices):
    LOCAL = "local", _("In our own data centre or at our own sites")
    MIXED = "mixed", _("Partly our own, partly with vendors")
    CLOUD = "cloud", _("Mostly in a vendor's cloud (for example a cloud EPJ)")


class Budget(models.TextChoices):
    LOW = "low", _("Tight")
    MEDIUM = "medium", _("Moderate")
    HIGH = "high", _("Room for robust solutions")


class Competence(models.TextChoices):
    NONE = "none", _("No technical staff of our own")
    SOME = "some", _("Some, or an IT partner")
    OWN = "own", _("Our own IT department or the inter-municipal IT service")


class Growth(models.TextChoices):
    NONE = "none", _("About the same as today")
    MODERATE = "moderate", _("Moderate growth")
    STRONG = "strong", _("Strong growth: new services, more sites or a merger")


# --- the cloud EPJ decision aid ------------------------------------------------------------------


class Concern(models.TextChoices):
    """The six reasons NHN gives for keeping an own connection when moving to a cloud EPJ."""

    UPTIME = "uptime", _("Uptime")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting")
    ROBUSTNESS = "robustness", _("Robustness")
    REDUNDANCY = "redundancy", _("Redundancy")
    CAPACITY = "capacity", _("Capacity")
    PREPAREDNESS = "preparedness", _("Emergency preparedness")


class ConcernAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Don't know")


CONCERN_ANSWER_COLOURS = {
    ConcernAnswer.YES: "green",
    ConcernAnswer.PARTLY: "amber",
    ConcernAnswer.NO: "red",
    ConcernAnswer.UNKNOWN: "grey",
}


class TerminationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")


TERMINATION_STATUS_COLOURS = {
    TerminationStatus.SUBMITTED: "amber",
    TerminationStatus.ACCEPTED: "blue",
    TerminationStatus.REJECTED: "red",
    TerminationStatus.WITHDRAWN: "grey",
    TerminationStatus.COMPLETED: "green",
}


class ChangeRequestStatus(models.TextChoices):
    """Where a member's request to change a contractual value of its connection stands."""

    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


CHANGE_REQUEST_STATUS_COLOURS = {
    ChangeRequestStatus.SUBMITTED: "amber",
    ChangeRequestStatus.ACCEPTED: "green",
    ChangeRequestStatus.REJECTED: "red",
}

# What the owner's administrators and technical contacts correct themselves (facts about the site and
# who to call), and what is in the agreement with NHN and so needs NHN's approval (a change request).
MEMBER_FIELDS = ("site_address", "site_municipality", "technical_contact")
CONTRACTUAL_FIELDS = ("connection_type", "provider", "bandwidth_mbps", "redundancy", "uptime_target")

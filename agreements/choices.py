"""Choices of the service catalogue and agreements, each with its badge colour defined once, here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NETWORK = "network", _("Network and infrastructure")
    MESSAGING = "messaging", _("Messaging and addresses")
    RECORDS = "records", _("Shared records and documents")
    MEDICATION = "medication", _("Prescriptions and medication")
    CITIZEN = "citizen", _("Services for citizens")
    IDENTITY = "identity", _("Identity and access")
    BASE_DATA = "base_data", _("Base data")
    SECURITY = "security", _("Security")


class Lifecycle(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PILOT = "pilot", _("Pilot")
    AVAILABLE = "available", _("Available")
    PHASING_OUT = "phasing_out", _("Phasing out")


LIFECYCLE_COLOURS: dict[str, str] = {
    Lifecycle.PLANNED: "grey",
    Lifecycle.PILOT: "blue",
    Lifecycle.AVAILABLE: "green",
    Lifecycle.PHASING_OUT: "amber",
}
# Who can order a service in each stage (planned services are on the roadmap only).
ORDERABLE_LIFECYCLES = frozenset({Lifecycle.PILOT, Lifecycle.AVAILABLE})


class PriceBasis(models.TextChoices):
    FREE = "free", _("No charge")
    FIXED = "fixed", _("Fixed annual amount")
    PER_INHABITANT = "per_inhabitant", _("Per inhabitant (municipalities)")
    PER_EMPLOYEE = "per_employee", _("Per employee")


class TermsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class AgreementState(models.TextChoices):
    ACTIVE = "active", _("Active")
    MUST_RESIGN = "must_resign", _("Must re-sign")
    TERMINATED = "terminated", _("Terminated")


AGREEMENT_STATE_COLOURS: dict[str, str] = {
    AgreementState.ACTIVE: "green",
    AgreementState.MUST_RESIGN: "amber",
    AgreementState.TERMINATED: "grey",
}


class FlowStep(models.IntegerChoices):
    MEMBERSHIP = 1, _("Sign the membership terms")
    RESIGN = 2, _("Re-sign the services you use")
    ORDER = 3, _("Order new services")
    CONFIRM = 4, _("Review and sign")

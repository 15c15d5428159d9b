"""Choices of security advisories, each with its badge colour defined once, here.

TLP 2.0 (FIRST): CLEAR, GREEN, AMBER, AMBER+STRICT, RED. CSAF 2.0 still speaks TLP v1 (WHITE, GREEN,
AMBER, RED); the mapping both ways is here too. A missing or unknown label is restricted: only CERT
analysts see such an advisory (``Advisory.objects.visible_to``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


TLP_COLOURS = {
    TLP.CLEAR: "grey",
    TLP.GREEN: "green",
    TLP.AMBER: "amber",
    TLP.AMBER_STRICT: "amber",
    TLP.RED: "red",
}
UNKNOWN_TLP_COLOUR = "red"

TLP_DESCRIPTIONS = {
    TLP.CLEAR: _("May be shared freely; shown on the public advisory list."),
    TLP.GREEN: _("For the community: every member of Helsenettet may read it."),
    TLP.AMBER: _("Only the targeted members' own people (and people named on the advisory), on a need-to-know basis."),
    TLP.AMBER_STRICT: _("Only within the targeted member organisations; not even named outsiders."),
    TLP.RED: _("Only the people named on the advisory."),
}

# Labels whose content must never be put into an e-mail body: the e-mail says that there is an
# advisory and links to it; the text is read after signing in.
TLP_MAIL_CONTENT_ALLOWED = frozenset({TLP.CLEAR, TLP.GREEN})

# CSAF 2.0 (TLP v1) → TLP 2.0, and back. AMBER+STRICT has no v1 label: it is exported as AMBER with
# the exact TLP 2.0 label in distribution.text.
TLP_FROM_CSAF = {"WHITE": TLP.CLEAR, "GREEN": TLP.GREEN, "AMBER": TLP.AMBER, "RED": TLP.RED}
TLP_TO_CSAF = {TLP.CLEAR: "WHITE", TLP.GREEN: "GREEN", TLP.AMBER: "AMBER", TLP.AMBER_STRICT: "AMBER", TLP.RED: "RED"}


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_COLOURS: dict[str, str] = {
    Severity.LOW: "grey",
    Severity.MEDIUM: "blue",
    Severity.HIGH: "amber",
    Severity.CRITICAL: "red",
}


class AdvisoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Awaiting review")
    PUBLISHED = "published", _("Published")


ADVISORY_STATUS_COLOURS = {
    AdvisoryStatus.DRAFT: "grey",
    AdvisoryStatus.IN_REVIEW: "blue",
    AdvisoryStatus.PUBLISHED: "green",
}


class AckStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    HANDLED = "handled", _("Handled")
    NOT_AFFECTED = "not_affected", _("Not affected")


ACK_STATUS_COLOURS = {
    AckStatus.RECEIVED: "blue",
    AckStatus.HANDLED: "green",
    AckStatus.NOT_AFFECTED: "grey",
}


class Source(models.TextChoices):
    NHN = "nhn", _("HelseCERT / KommuneCERT")
    CSAF_IMPORT = "csaf_import", _("Imported CSAF document")


# CSAF 2.0 product status groups and remediation categories, as shown on an advisory.
PRODUCT_STATUS_LABELS = {
    "first_affected": _("First affected"),
    "known_affected": _("Known affected"),
    "last_affected": _("Last affected"),
    "under_investigation": _("Under investigation"),
    "known_not_affected": _("Known not affected"),
    "first_fixed": _("First fixed"),
    "fixed": _("Fixed"),
    "recommended": _("Recommended"),
}
REMEDIATION_LABELS = {
    "mitigation": _("Mitigation"),
    "no_fix_planned": _("No fix planned"),
    "none_available": _("None available"),
    "vendor_fix": _("Vendor fix"),
    "workaround": _("Workaround"),
}

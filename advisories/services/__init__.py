"""Write-side rules of advisories, one module per sub-domain:

* ``workflow`` — drafting, review by a second analyst, publication and corrections, the threat picture;
* ``distribution`` — who is e-mailed a published advisory, the e-mail, what approval set in motion;
* ``acknowledgements`` — members' answers, reminders, the analysts' overview, unanswered counts;
* ``csaf_import`` — a CSAF 2.0 document becomes a draft with its vulnerabilities;
* ``contacts`` — security contacts and the reminder to members without one.

Every write checks permission, runs in a transaction and leaves an audit event where it has weight.
Callers import from ``advisories.services`` (the names below); who may read an advisory is never decided
here but in ``Advisory.objects.visible_to``.
"""

from advisories.services.acknowledgements import (
    AckGroup,
    AckRow,
    ack_hours,
    ack_overview,
    acknowledge,
    acknowledging_organisations,
    remind_unacknowledged,
    unanswered_counts,
)
from advisories.services.contacts import (
    contact_details_save,
    member_organisations,
    remind_missing_contacts,
    without_security_contact,
)
from advisories.services.csaf_import import csaf_import
from advisories.services.distribution import (
    DistributionSummary,
    advisory_recipients,
    distribute,
    distribute_due,
    distribution_summary,
    security_contacts,
)
from advisories.services.workflow import (
    CONTENT_FIELDS,
    M2M_FIELDS,
    advisory_approve,
    advisory_return,
    advisory_save,
    advisory_start_correction,
    advisory_submit,
    threat_picture_publish,
    validate_content,
    validate_ready,
)

__all__ = [
    "CONTENT_FIELDS",
    "M2M_FIELDS",
    "AckGroup",
    "AckRow",
    "DistributionSummary",
    "ack_hours",
    "ack_overview",
    "acknowledge",
    "acknowledging_organisations",
    "advisory_approve",
    "advisory_recipients",
    "advisory_return",
    "advisory_save",
    "advisory_start_correction",
    "advisory_submit",
    "contact_details_save",
    "csaf_import",
    "distribute",
    "distribute_due",
    "distribution_summary",
    "member_organisations",
    "remind_missing_contacts",
    "remind_unacknowledged",
    "security_contacts",
    "threat_picture_publish",
    "unanswered_counts",
    "validate_content",
    "validate_ready",
    "without_security_contact",
]

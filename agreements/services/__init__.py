"""Every write to the catalogue's terms and to members' service agreements, one module per sub-domain
(``common``, ``terms``, ``lifecycle``, ``signing``). Callers import from ``agreements.services``.

Signing services uses the membership signing's authority and step-up (memberships.services), seals one
PDF for everything signed in one go, and records it with an audit event in the same transaction.
"""

from __future__ import annotations

from agreements.services.common import (
    NothingToSign,
    SelectionChanged,
    current_terms,
    describe_changes,
    selection_items,
)
from agreements.services.lifecycle import (
    _agreement_changed,
    _terminate,
    agreement_start,
    agreement_terminate,
    termination_impact,
)
from agreements.services.signing import (
    Selection,
    _item,
    record_service_signing,
    selection_problems,
    sign_services,
)
from agreements.services.terms import (
    service_terms_publish,
    terms_sha256,
)

__all__ = [
    "NothingToSign",
    "Selection",
    "SelectionChanged",
    "_agreement_changed",
    "_item",
    "_terminate",
    "agreement_start",
    "agreement_terminate",
    "current_terms",
    "describe_changes",
    "record_service_signing",
    "selection_items",
    "selection_problems",
    "service_terms_publish",
    "sign_services",
    "termination_impact",
    "terms_sha256",
]

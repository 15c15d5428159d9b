"""Write-side rules of memberships: terms, the membership state machine, authority to sign, signing and
delegation, one module each. Callers import from ``memberships.services``.

Every change writes an audit event (core.audit) in the same transaction. E-mails are queued in the
outbox (core.mail) in that transaction too, and delivered by a background task after commit.
"""

from __future__ import annotations

from memberships.services.authority import (
    Authority,
    AuthorityDecision,
    authority_decision,
    describe_basis,
    recipients_for,
    required_to_sign,
    signatory_grant,
    signing_authority,
)
from memberships.services.common import (
    TERMS_FIELDS,
    TRANSITIONS,
    AlreadySigned,
    AuthorityRefused,
    InvalidTransition,
    S,
    TermsChanged,
    _snapshot,
    terms_text_sha256,
)
from memberships.services.delegation import (
    DELEGABLE_AGREEMENTS,
    MAX_DELEGATION,
    OutsiderNeedsConfirmation,
    _one_year_after,
    holds_role,
    signing_delegate,
    signing_delegation_revoke,
)
from memberships.services.signing import (
    _queue_receipt,
    record_signature,
    terms_sign,
)
from memberships.services.state import (
    membership_for,
    membership_terminate,
    membership_transition,
    membership_transitions,
)
from memberships.services.terms import (
    terms_publish,
    terms_save_draft,
)

__all__ = [
    "DELEGABLE_AGREEMENTS",
    "MAX_DELEGATION",
    "TERMS_FIELDS",
    "TRANSITIONS",
    "AlreadySigned",
    "Authority",
    "AuthorityDecision",
    "AuthorityRefused",
    "InvalidTransition",
    "OutsiderNeedsConfirmation",
    "S",
    "TermsChanged",
    "_one_year_after",
    "_queue_receipt",
    "_snapshot",
    "authority_decision",
    "describe_basis",
    "holds_role",
    "membership_for",
    "membership_terminate",
    "membership_transition",
    "membership_transitions",
    "recipients_for",
    "record_signature",
    "required_to_sign",
    "signatory_grant",
    "signing_authority",
    "signing_delegate",
    "signing_delegation_revoke",
    "terms_publish",
    "terms_save_draft",
    "terms_sign",
    "terms_text_sha256",
]

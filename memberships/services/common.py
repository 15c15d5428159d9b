"""Shared by the membership services: the states' transitions, the terms' fields, the errors signing raises."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import canonical_json
from memberships.choices import MembershipState
from memberships.models import Signature, TermsVersion

if TYPE_CHECKING:
    from memberships.services.authority import AuthorityDecision

S = MembershipState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOT_MEMBER: frozenset({S.INVITED, S.ACTIVE}),
    S.INVITED: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.ACTIVE: frozenset({S.MUST_RESIGN, S.SUSPENDED, S.TERMINATED}),
    S.MUST_RESIGN: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.TERMINATED: frozenset({S.INVITED, S.ACTIVE}),
}
TERMS_FIELDS = [
    "label",
    "membership_terms",
    "data_processing",
    "customer_agreement",
    "effective_date",
    "sign_by",
    "required_forms",
]


class InvalidTransition(ValidationError):
    pass


class TermsChanged(ValidationError):
    """What the signatory was shown is no longer what would be signed: nothing is stored."""

    def __init__(self, *, shown_label: str, current: TermsVersion) -> None:
        self.current = current
        super().__init__(
            _(
                "The terms changed while you had the page open: you read %(shown)s, and %(current)s is now the "
                "version to sign. Nothing was signed. Read the new version below and sign again."
            )
            % {"shown": shown_label or _("another version"), "current": current.label},
            code="terms_changed",
        )


class AuthorityRefused(PermissionDenied):
    """The registers do not give this person authority to sign; the reason and the way forward say why."""

    def __init__(self, decision: AuthorityDecision) -> None:
        self.decision = decision
        super().__init__(decision.reason)


class AlreadySigned(ValidationError):
    def __init__(self, signature: Signature) -> None:
        self.signature = signature
        super().__init__(
            _("Already signed by %(name)s at %(time)s.")
            % {
                "name": signature.signer_name,
                "time": timezone.localtime(signature.signed_at).strftime("%d.%m.%Y %H:%M"),
            },
            code="already_signed",
        )


def _snapshot(version: TermsVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in [*TERMS_FIELDS, "status", "text_sha256"]}


def terms_text_sha256(version: TermsVersion) -> str:
    """SHA-256 of the exact text of a version: label, dates, forms and the three documents."""
    return hashlib.sha256(canonical_json({name: getattr(version, name) for name in TERMS_FIELDS}).encode()).hexdigest()

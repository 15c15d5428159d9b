"""Who may sign for an organisation now, and on what basis (a delegation, a staff override, or the registers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core import authority as registers
from core.roles import OrganisationRoleType, SignatoryBasis
from memberships.models import TermsVersion
from organisations.models import Organisation, OrganisationRole


@dataclass(frozen=True)
class Authority:
    """Why this person may sign now, as recorded on the signature.

    ``basis`` is the grant's kind (a delegation, a staff override) or, for authority read from a register,
    ``<source>:<role code>`` (``enhetsregisteret:DAGL``); ``role_code``, ``register_read_at`` and
    ``matched_entry`` say which register entry it rests on and when the register was read."""

    grant: OrganisationRole | None
    basis: str
    text: str
    role_code: str = ""
    register_read_at: dt.datetime | None = None
    matched_entry: dict[str, Any] = field(default_factory=dict)

    @property
    def delegated(self) -> bool:
        return self.basis == SignatoryBasis.DELEGATED

    @property
    def evidence(self) -> dict[str, Any]:
        """What the signature stores about its basis."""
        return {
            "basis": self.basis,
            "role_code": self.role_code,
            "register_read_at": self.register_read_at.isoformat() if self.register_read_at else None,
            "matched_entry": self.matched_entry,
        }


@dataclass(frozen=True)
class AuthorityDecision:
    """The answer to "may this person sign for this organisation now?", with the reason when not."""

    authority: Authority | None
    reason: str = ""
    way_forward: str = ""


def signatory_grant(user: Any, organisation: Organisation) -> OrganisationRole | None:
    """The person's signatory role in force today (no register asked: for showing links, not for signing)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        OrganisationRole.objects.active()
        .select_related("granted_by")
        .filter(user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY)
        .first()
    )


def authority_decision(user: Any, organisation: Organisation, *, person_id: str | None = None) -> AuthorityDecision:
    """May ``user`` sign for ``organisation`` now, and on what basis?

    * a delegation in force (named by whom, until when) or an NHN staff override (with its reason and
      end date) is its own basis;
    * otherwise the registers decide (core.authority: Enhetsregisteret's roles, read again when old;
      Altinn when configured). A signatory role in the portal alone gives no authority."""
    grant = signatory_grant(user, organisation)
    if grant is None:
        return AuthorityDecision(
            None,
            reason=_("You have no signatory role for %(org)s in the portal.") % {"org": organisation},
            way_forward=registers.way_forward(),
        )
    if grant.signatory_basis in (SignatoryBasis.DELEGATED, SignatoryBasis.STAFF_OVERRIDE):
        return AuthorityDecision(Authority(grant=grant, basis=grant.signatory_basis, text=describe_basis(grant)))
    answer = registers.decide(user=user, organisation=organisation, person_id=person_id)
    if isinstance(answer, registers.RegisterBasis):
        when = timezone.localtime(answer.read_at).strftime("%d.%m.%Y %H:%M")
        text = _("%(role)s (%(code)s), read %(when)s: %(name)s") % {
            "role": answer.text,
            "code": answer.role_code,
            "when": when,
            "name": answer.entry.get("name", user.get_full_name()),
        }
        return AuthorityDecision(
            Authority(
                grant=grant,
                basis=f"{answer.source}:{answer.role_code}"[:32],
                text=text[:300],
                role_code=answer.role_code,
                register_read_at=answer.read_at,
                matched_entry=answer.entry,
            )
        )
    first = answer[0]
    return AuthorityDecision(None, reason=first.reason, way_forward=first.way_forward)


def signing_authority(user: Any, organisation: Organisation, *, person_id: str | None = None) -> Authority | None:
    """The user's authority to sign for the organisation now, or None (authority_decision says why)."""
    return authority_decision(user, organisation, person_id=person_id).authority


def describe_basis(grant: OrganisationRole) -> str:
    if grant.signatory_basis == SignatoryBasis.DELEGATED:
        return _("Delegated by %(person)s until %(date)s") % {
            "person": grant.granted_by.get_full_name() if grant.granted_by else _("unknown"),
            "date": grant.valid_until.strftime("%d.%m.%Y") if grant.valid_until else "",
        }
    if grant.signatory_basis == SignatoryBasis.STAFF_OVERRIDE:
        return _("Override by NHN staff (not from Enhetsregisteret): %(reason)s; until %(date)s") % {
            "reason": grant.override_reason,
            "date": grant.valid_until.strftime("%d.%m.%Y") if grant.valid_until else "",
        }
    return str(SignatoryBasis(grant.signatory_basis).label)


def required_to_sign(version: TermsVersion, organisation: Organisation) -> bool:
    return organisation.form in version.required_forms


def recipients_for(organisation: Organisation) -> list[str]:
    """Who hears about the organisation's membership: its administrators and signatories, or the
    organisation's own e-mail address from the register when it has no one registered."""
    emails = list(
        OrganisationRole.objects.active()
        .filter(organisation=organisation, role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY])
        .values_list("user__email", flat=True)
        .distinct()
    )
    if not emails and organisation.email:
        emails = [organisation.email]
    return emails

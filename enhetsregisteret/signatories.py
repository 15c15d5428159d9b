"""Signatories need no invitation: a person whom Enhetsregisteret lists with the authority to sign alone
for an organisation (general manager, owner of a sole proprietorship, a signature or procuration held
by one person) gets the organisation's signatory role when they log in with ID-porten, and loses it
when the register stops listing them.

The roles come from the stored copies (RegisterRoles, kept for the organisations that must sign by
``manage.py read_register_roles`` and read again before every signing), found through the birth-date
index (RegisterRoleHolder) and matched by birth date and name exactly as the signing does
(roles.match): a partial name, two matching persons or a joint rule grant nothing. The grant only
shows the organisation and its next steps; the signing itself still asks the register (authority.py).

A person may also name an organisation the sweep has not reached yet (``claim``): its roles are read
from the register at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.utils import timezone

from core.audit import audit_record
from core.roles import BASIS_OF_REGISTER_ROLE, OrganisationRoleType
from enhetsregisteret import roles
from enhetsregisteret.authority import current, refresh, refusal_reason, store
from enhetsregisteret.client import Client, RegisterError, RemovedUnit
from enhetsregisteret.models import RegisterRoleHolder, RegisterRoles
from memberships.models import TermsVersion
from organisations.choices import RegisterStatus
from organisations.models import Organisation, OrganisationRole

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a login changed: organisations the person may now sign for, and those they no longer may."""

    granted: list[OrganisationRole] = field(default_factory=list)
    ended: list[Organisation] = field(default_factory=list)


def identified(user: Any) -> bool:
    """Only a person an identity provider has identified (ID-porten, HelseID: their national identity
    number's digest and birth date are known) is matched against the register."""
    return bool(getattr(user, "is_active", False) and user.national_id_digest and user.birth_date)


def _match(user: Any, stored: RegisterRoles) -> roles.Match:
    entries = [roles.Entry.from_json(e) for e in stored.entries]
    return roles.match(entries, full_name=user.full_name, birth_date=user.birth_date)


def _grant(user: Any, organisation: Organisation, stored: RegisterRoles, entry: roles.Entry) -> OrganisationRole | None:
    """Give the signatory role the register's entry supports, unless the person holds one already."""
    basis = BASIS_OF_REGISTER_ROLE[entry.code]
    grant = OrganisationRole.objects.filter(user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY)
    existing = grant.first()
    if existing is not None and existing.is_current:
        return None  # granted by staff, delegated or found before: left as it is
    role = existing or OrganisationRole(user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY)
    role.signatory_basis, role.valid_until, role.override_reason = basis, None, ""
    role.delegated_agreements, role.granted_by, role.from_register = [], None, True
    role.save()
    audit_record(
        actor=user,
        action="role.granted_from_register",
        obj=role,
        organisation_id=organisation.pk,
        after={"user": user.pk, "role": role.role, "basis": basis, "register_role": entry.code},
        reason=f"Enhetsregisteret, read {stored.read_at.isoformat()}",
    )
    return role


def _end(user: Any, role: OrganisationRole, stored: RegisterRoles, problem: str) -> None:
    audit_record(
        actor=user,
        action="role.ended_by_register",
        obj=role,
        organisation_id=role.organisation_id,
        before={"user": user.pk, "role": role.role, "basis": role.signatory_basis},
        reason=f"Enhetsregisteret, read {stored.read_at.isoformat()}: {problem}",
    )
    role.delete()


@transaction.atomic
def reconcile(user: Any) -> Outcome:
    """Bring the person's register-given signatory roles in line with the stored roles: grant where the
    register lists them with the authority to sign alone, end the grants the register no longer supports
    (only those it gave: a role granted by staff or delegated stays). Changes nothing for a person no
    identity provider has identified."""
    outcome = Outcome()
    if not identified(user):
        return outcome
    candidates = set(
        RegisterRoleHolder.objects.filter(birth_date=user.birth_date, code__in=roles.AUTHORITY_ORDER).values_list(
            "organisation_id", flat=True
        )
    )
    given = {
        role.organisation_id: role
        for role in OrganisationRole.objects.filter(user=user, role=OrganisationRoleType.SIGNATORY, from_register=True)
    }
    read = RegisterRoles.objects.select_related("organisation").filter(organisation_id__in=candidates | set(given))
    for stored in read:
        found = _match(user, stored)
        holds = not found.problem and found.entry is not None
        if holds and stored.organisation_id in candidates:
            assert found.entry is not None
            role = _grant(user, stored.organisation, stored, found.entry)
            if role is not None:
                outcome.granted.append(role)
        elif stored.organisation_id in given and not stored.stale:
            _end(user, given[stored.organisation_id], stored, found.problem or "not listed")
            outcome.ended.append(stored.organisation)
    return outcome


@dataclass(frozen=True)
class Claim:
    """The answer to "I sign for this organisation": the role given, or why not."""

    role: OrganisationRole | None
    already: bool = False
    refusal: str = ""


def claim(user: Any, organisation: Organisation) -> Claim:
    """Read the organisation's roles from the register now and give the person its signatory role when
    the register lists them with the authority to sign alone. Raises authority.RegisterUnavailable."""
    stored = current(organisation)
    found = _match(user, stored)
    if found.problem or found.entry is None:
        return Claim(None, refusal=refusal_reason(found, organisation, stored))
    with transaction.atomic():
        role = _grant(user, organisation, stored, found.entry)
    if role is None:
        held = OrganisationRole.objects.get(user=user, organisation=organisation, role=OrganisationRoleType.SIGNATORY)
        return Claim(held, already=True)
    return Claim(role)


@dataclass
class SweepReport:
    read: int = 0
    removed: int = 0
    failed: int = 0
    left: int = 0


def due_for_reading(*, max_age: dt.timedelta) -> QuerySet[Organisation]:
    """Organisations that must sign a published terms version and whose roles are missing, marked changed
    by the roles feed, or older than ``max_age``: changed first, then never read, then the oldest."""
    versions = TermsVersion.objects.published().only("required_forms")
    forms = {form for version in versions for form in version.required_forms}
    cutoff = timezone.now() - max_age
    return (
        Organisation.objects.filter(form__in=forms)
        .exclude(org_number="")
        .exclude(register_status=RegisterStatus.DELETED)
        .filter(Q(register_roles__isnull=True) | Q(register_roles__stale=True) | Q(register_roles__read_at__lt=cutoff))
        .order_by(
            Case(When(register_roles__stale=True, then=0), When(register_roles__isnull=True, then=1), default=2),
            F("register_roles__read_at").asc(nulls_first=True),
            "pk",
        )
    )


def sweep(*, limit: int, max_age: dt.timedelta, client: Client | None = None) -> SweepReport:
    """Read the roles of at most ``limit`` organisations due for reading (due_for_reading), so that their
    signatories find them at login. A unit the register no longer has keeps no roles; a failure is counted
    and the organisation tried again on the next run."""
    report = SweepReport()
    due = due_for_reading(max_age=max_age)
    reader = client or Client(retries=2, backoff=0.5)
    for organisation in due[:limit]:
        try:
            refresh(organisation, client=reader)
        except RemovedUnit:
            store(organisation, [])
            report.removed += 1
        except RegisterError as exc:
            logger.warning("Roles of %s could not be read: %s", organisation.org_number, exc)
            report.failed += 1
        else:
            report.read += 1
    report.left = due.count()
    return report

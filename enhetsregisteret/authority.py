"""Authority to sign from Enhetsregisteret's roles (a source for core.authority).

Before a signing the organisation's roles are read again when the stored copy is older than
SIGNING_ROLES_MAX_AGE or the roles feed marked it stale. If the register cannot be reached then, the
signing is refused rather than decided on an old copy: the basis must be what the register says now.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.authority import Refusal, RegisterBasis, way_forward
from enhetsregisteret import roles
from enhetsregisteret.client import Client, RegisterError, RemovedUnit
from enhetsregisteret.models import RegisterRoleHolder, RegisterRoles

logger = logging.getLogger(__name__)

# The role as written on the signature page (the agreement is always Norwegian).
ROLE_TEXT = {
    "DAGL": "Daglig leder i Enhetsregisteret",
    "INNH": "Innehaver i Enhetsregisteret",
    "SIGN": "Signaturrett i Enhetsregisteret",
    "PROK": "Prokura i Enhetsregisteret",
}


class RegisterUnavailable(Exception):
    pass


def store(organisation: Any, entries: list[roles.Entry], *, read_at: dt.datetime | None = None) -> RegisterRoles:
    """Keep the roles read for the organisation (replacing the old copy) and, with them, the index of the
    persons who hold a role that may let them sign (RegisterRoleHolder), in one transaction."""
    holders = {(e.birth_date, e.code) for e in entries if e.active and e.birth_date and e.code in roles.AUTHORITY_ORDER}
    with transaction.atomic():
        stored, _created = RegisterRoles.objects.update_or_create(
            organisation=organisation,
            defaults={"entries": [e.as_json() for e in entries], "read_at": read_at or timezone.now(), "stale": False},
        )
        RegisterRoleHolder.objects.filter(organisation=organisation).delete()
        RegisterRoleHolder.objects.bulk_create(
            RegisterRoleHolder(organisation=organisation, birth_date=born, code=code) for born, code in sorted(holders)
        )
    return stored


def refresh(organisation: Any, *, client: Client | None = None) -> RegisterRoles:
    """Read the organisation's roles from the register now and store them (replacing the old copy)."""
    body = (client or Client(retries=1, backoff=0.2)).roles(organisation.org_number)
    try:
        entries = roles.parse(body)
    except ValueError as exc:
        raise RegisterError(f"roles of {organisation.org_number}: {exc}") from None
    return store(organisation, entries)


def current(organisation: Any) -> RegisterRoles:
    """The stored roles when fresh enough, else read again (RegisterUnavailable when that fails)."""
    stored = RegisterRoles.objects.filter(organisation=organisation).first()
    max_age = dt.timedelta(seconds=settings.SIGNING_ROLES_MAX_AGE)
    if stored is not None and not stored.stale and timezone.now() - stored.read_at <= max_age:
        return stored
    try:
        return refresh(organisation)
    except RemovedUnit:
        return store(organisation, [])
    except RegisterError as exc:
        logger.warning("Roles of %s could not be read: %s", organisation.org_number, exc)
        raise RegisterUnavailable(str(exc)) from None


def holds_any_role(user: Any, organisation: Any) -> bool:
    """Does the register list this person (birth date and name) in any role of the organisation?
    Read from the stored copy only: used to warn, not to grant."""
    stored = RegisterRoles.objects.filter(organisation=organisation).first()
    if stored is None or getattr(user, "birth_date", None) is None:
        return False
    entries = [roles.Entry.from_json(e) for e in stored.entries]
    return any(
        e.active and e.birth_date == user.birth_date and roles.name_match(user.full_name, e) == "full" for e in entries
    )


class EnhetsregisteretSource:
    name = "enhetsregisteret"

    def holds_role(self, *, user: Any, organisation: Any) -> bool:
        return holds_any_role(user, organisation)

    def decide(self, *, user: Any, organisation: Any, person_id: str | None = None) -> RegisterBasis | Refusal | None:
        if not organisation.org_number:
            return None
        try:
            stored = current(organisation)
        except RegisterUnavailable:
            return Refusal(
                reason=_("Enhetsregisteret could not be reached to confirm your role just now."),
                way_forward=_("Try again in a few minutes. If it goes on, contact the customer centre."),
            )
        entries = [roles.Entry.from_json(e) for e in stored.entries]
        found = roles.match(entries, full_name=user.full_name, birth_date=getattr(user, "birth_date", None))
        if not found.problem and found.entry is not None:
            entry = found.entry
            return RegisterBasis(
                source=self.name,
                role_code=entry.code,
                read_at=stored.read_at,
                text=ROLE_TEXT.get(entry.code, entry.code),
                entry={
                    "name": entry.name,
                    "birth_date": entry.birth_date.isoformat() if entry.birth_date else None,
                    "code": entry.code,
                    "description": entry.description,
                },
            )
        return Refusal(reason=refusal_reason(found, organisation, stored), way_forward=way_forward())


def refusal_reason(found: roles.Match, organisation: Any, stored: RegisterRoles) -> str:
    when = timezone.localtime(stored.read_at).strftime("%d.%m.%Y %H:%M")
    org = str(organisation)
    if found.problem == roles.NO_BIRTH_DATE:
        return _("We do not know your birth date, so we cannot find you in Enhetsregisteret. Log in with ID-porten.")
    if found.problem == roles.PARTIAL_NAME:
        return _(
            "Enhetsregisteret lists a person with your birth date for %(org)s, but the name (%(name)s) does not "
            "match yours fully. We do not guess."
        ) % {"org": org, "name": found.entry.name if found.entry else "?"}
    if found.problem == roles.AMBIGUOUS:
        return _("Enhetsregisteret lists more than one person who matches you for %(org)s. We do not guess.") % {
            "org": org
        }
    if found.problem == roles.JOINT_RULE:
        return _(
            "Enhetsregisteret lists you with %(role)s for %(org)s, together with others: the rule may require you "
            "to sign jointly, which the portal does not support."
        ) % {"role": found.entry.description if found.entry else "", "org": org}
    if found.problem == roles.NOT_AUTHORITY:
        return _(
            "Enhetsregisteret lists you for %(org)s as %(role)s, which does not give the right to sign alone "
            "(general manager, owner, signature or procuration do)."
        ) % {"org": org, "role": found.entry.description if found.entry else ""}
    return _(
        "Enhetsregisteret (read %(when)s) lists no general manager, owner, signature or procuration for %(org)s "
        "with your name and birth date."
    ) % {"org": org, "when": when}


def mark_changed(org_numbers: list[str]) -> int:
    """The roles feed said these organisations' roles changed: read them again before the next signing."""
    return RegisterRoles.objects.filter(organisation__org_number__in=org_numbers).update(stale=True)

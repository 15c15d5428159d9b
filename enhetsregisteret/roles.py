"""Enhetsregisteret's roles of one organisation: the answer of ``/enheter/{orgnr}/roller`` read into
plain entries, and matching a person against them (no database here).

The answer's shape: ``rollegrupper[]``, each with ``type.kode`` (DAGL, INNH, STYR, SIGN, PROK …),
``sistEndret`` and ``roller[]``; each role has ``type.kode``, either a ``person`` (``fodselsdato``,
``navn.fornavn``/``mellomnavn``/``etternavn``, ``erDoed``) or an ``enhet`` (an organisation holding the
role), and ``fratraadt``/``avregistrert`` when it no longer applies. Unknown fields are ignored.

Authority (docs/architecture.md, shared facts): DAGL (general manager; for a municipality the municipal
director) and INNH (owner of a sole proprietorship) sign alone. SIGN (signature) and PROK (procuration)
give authority to one person alone only where the register's rule says so; the open API gives the
persons, not the rule's text, so the portal reads "one person holds it" as the rule "alone" and refuses
a group of several (the rule may say "jointly"), pointing to delegation or the customer centre.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

SOLE_ROLES = ("DAGL", "INNH")
RULE_ROLES = ("SIGN", "PROK")
AUTHORITY_ORDER = ("DAGL", "INNH", "SIGN", "PROK")


@dataclass(frozen=True)
class Entry:
    group: str
    code: str
    description: str
    first_name: str
    middle_name: str
    last_name: str
    birth_date: dt.date | None
    active: bool

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    def as_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "code": self.code,
            "description": self.description,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "active": self.active,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        born = data.get("birth_date")
        return cls(
            group=str(data.get("group") or ""),
            code=str(data.get("code") or ""),
            description=str(data.get("description") or ""),
            first_name=str(data.get("first_name") or ""),
            middle_name=str(data.get("middle_name") or ""),
            last_name=str(data.get("last_name") or ""),
            birth_date=dt.date.fromisoformat(born) if born else None,
            active=bool(data.get("active")),
        )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def parse(body: Any) -> list[Entry]:
    """The persons' roles in an answer (roles held by organisations are left out: no person signs
    through them here). Raises ValueError when the answer is not a roles answer at all."""
    if not isinstance(body, dict) or not isinstance(body.get("rollegrupper", []), list):
        raise ValueError("not a roles answer")
    entries: list[Entry] = []
    for group in body.get("rollegrupper") or []:
        if not isinstance(group, dict):
            continue
        group_code = _text((group.get("type") or {}).get("kode"))
        for role in group.get("roller") or []:
            if not isinstance(role, dict) or not isinstance(role.get("person"), dict):
                continue
            person = role["person"]
            raw_name, raw_kind = person.get("navn"), role.get("type")
            name: dict[str, Any] = raw_name if isinstance(raw_name, dict) else {}
            kind: dict[str, Any] = raw_kind if isinstance(raw_kind, dict) else {}
            entries.append(
                Entry(
                    group=group_code,
                    code=_text(kind.get("kode")) or group_code,
                    description=_text(kind.get("beskrivelse")),
                    first_name=_text(name.get("fornavn")),
                    middle_name=_text(name.get("mellomnavn")),
                    last_name=_text(name.get("etternavn")),
                    birth_date=_date(person.get("fodselsdato")),
                    active=not (role.get("fratraadt") or role.get("avregistrert") or person.get("erDoed")),
                )
            )
    return entries


_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "þ": "th", "ß": "ss", "ł": "l"})


def name_tokens(name: str) -> list[str]:
    """Words of a name, case-folded, without diacritics (å → a, ø → o, é → e), hyphens as spaces."""
    folded = name.casefold().translate(_FOLD)
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in plain).split()


def name_match(full_name: str, entry: Entry) -> str:
    """ "full" when first and last names agree (middle names may differ or be missing on either side),
    "partial" when only one of them does, else "none"."""
    mine = name_tokens(full_name)
    first, last = name_tokens(entry.first_name), name_tokens(entry.last_name)
    if not mine or not first or not last:
        return "none"
    given = set(first) | set(name_tokens(entry.middle_name))
    first_ok = mine[0] in given or mine[0] == first[0]
    last_ok = mine[-1] == last[-1] or mine[-1] in last
    if first_ok and last_ok:
        return "full"
    return "partial" if first_ok or last_ok else "none"


@dataclass(frozen=True)
class Match:
    entry: Entry | None
    problem: str  # "" when matched; else one of the PROBLEM codes below


NO_BIRTH_DATE = "no_birth_date"
NO_ROLE = "no_role"
PARTIAL_NAME = "partial_name"
AMBIGUOUS = "ambiguous"
JOINT_RULE = "joint_rule"
NOT_AUTHORITY = "not_authority"


def match(entries: list[Entry], *, full_name: str, birth_date: dt.date | None) -> Match:
    """The person's entry that gives authority to sign alone, or why there is none."""
    if birth_date is None:
        return Match(None, NO_BIRTH_DATE)
    active = [e for e in entries if e.active]
    born = [e for e in active if e.birth_date == birth_date]
    full = [e for e in born if name_match(full_name, e) == "full"]
    if not full:
        partial = [e for e in born if name_match(full_name, e) == "partial"]
        return Match(partial[0] if partial else None, PARTIAL_NAME if partial else NO_ROLE)
    people = {(e.first_name, e.middle_name, e.last_name, e.birth_date) for e in full}
    if len(people) > 1:
        return Match(None, AMBIGUOUS)  # two persons with the same birth date and matching names
    joint: Entry | None = None
    for code in AUTHORITY_ORDER:
        for entry in full:
            if entry.code != code:
                continue
            if code in SOLE_ROLES or len([e for e in active if e.code == code]) == 1:
                return Match(entry, "")
            joint = joint or entry
    if joint is not None:
        return Match(joint, JOINT_RULE)
    return Match(full[0], NOT_AUTHORITY)

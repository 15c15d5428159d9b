"""Reading Enhetsregisteret's main-unit records (bulk file elements and /enheter/{orgnr} bodies).

Tolerant of what the real data does: missing fields, ``null`` and ``""`` in address lines, foreign
addresses (no post code or municipality; the post code sits in ``poststed``), ``konkursdato: ""``,
unknown new fields, and deleted units with a reduced body (``slettedato``). Organisation numbers are
accepted only when organisations.validators says they are valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from enhetsregisteret.choices import FollowUpReason
from enhetsregisteret.reader import CODE_KEYS
from organisations.choices import RegisterStatus
from organisations.models import industry_code_validator
from organisations.validators import validate_org_number

# The industry-code validator's own pattern, matched directly: the validator's call costs more than
# the match, for every code of every relevant unit of the bulk file.
INDUSTRY_CODE = industry_code_validator.regex


def valid_org_number(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        validate_org_number(value)
    except ValidationError:
        return None
    return value


def form_of(raw: dict[str, Any]) -> str:
    form = raw.get("organisasjonsform")
    code = form.get("kode") if isinstance(form, dict) else None
    return code if isinstance(code, str) else ""


def codes_of(raw: dict[str, Any]) -> list[str]:
    codes = []
    for key in CODE_KEYS:
        item = raw.get(key)
        code = item.get("kode") if isinstance(item, dict) else None
        if isinstance(code, str) and code not in codes and INDUSTRY_CODE.search(code):  # type: ignore[union-attr]  # RegexValidator compiles it
            codes.append(code)
    return codes


def written_form_of(value: Any) -> str:
    """«maalform» ("Bokmål" / "Nynorsk") as a language code; anything else (missing, odd) is unknown."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return {"bokmål": "nb", "bokmal": "nb", "nynorsk": "nn"}.get(text, "")


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass
class Unit:
    """One main unit as the portal stores it. ``reduced`` marks a deleted or removed unit whose body
    carries only its status: its other fields must not overwrite what is stored."""

    org_number: str
    name: str = ""
    form: str = ""
    industry_codes: list[str] = field(default_factory=list)
    business_address: str = ""
    postal_code: str = ""
    postal_place: str = ""
    municipality_number: str = ""
    email: str = ""
    phone: str = ""
    written_form: str = ""  # "nb" or "nn" from «maalform»; empty when the register does not say
    sector_code: str = ""
    deleted_on: dt.date | None = None
    removed: bool = False
    bankrupt: bool = False
    under_liquidation: bool = False
    forced_liquidation: bool = False
    reduced: bool = False

    @property
    def register_status(self) -> str:
        if self.deleted_on or self.removed:
            return RegisterStatus.DELETED
        if self.bankrupt:
            return RegisterStatus.BANKRUPT
        if self.under_liquidation or self.forced_liquidation:
            return RegisterStatus.UNDER_LIQUIDATION
        return RegisterStatus.ACTIVE

    @property
    def follow_up_reasons(self) -> list[str]:
        """Why a member with this standing needs following up (empty when it stands well)."""
        reasons: list[str] = []
        if self.removed:
            reasons.append(FollowUpReason.REMOVED)
        elif self.deleted_on:
            reasons.append(FollowUpReason.DELETED)
        if self.bankrupt:
            reasons.append(FollowUpReason.BANKRUPT)
        if self.under_liquidation:
            reasons.append(FollowUpReason.UNDER_LIQUIDATION)
        if self.forced_liquidation:
            reasons.append(FollowUpReason.FORCED_LIQUIDATION)
        return reasons


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    for key in ("forretningsadresse", "postadresse"):
        value = raw.get(key)
        if isinstance(value, dict) and value:
            return value
    return {}


def parse_unit(raw: Any) -> Unit | None:
    """The Unit of a record, or None when the record has no valid organisation number."""
    if not isinstance(raw, dict):
        return None
    org_number = valid_org_number(raw.get("organisasjonsnummer"))
    if org_number is None:
        return None
    deleted_on = _date(raw.get("slettedato"))
    if raw.get("slettedato") and deleted_on is None:
        deleted_on = dt.date.today()  # a deletion whose date we cannot read is still a deletion
    unit = Unit(
        org_number=org_number,
        name=_text(raw.get("navn"), 255),
        form=form_of(raw)[:8],
        industry_codes=codes_of(raw),
        deleted_on=deleted_on,
        bankrupt=raw.get("konkurs") is True,
        under_liquidation=raw.get("underAvvikling") is True,
        forced_liquidation=raw.get("underTvangsavviklingEllerTvangsopplosning") is True,
        reduced=deleted_on is not None,
    )
    address = _address(raw)
    lines = address.get("adresse")
    if isinstance(lines, list):
        unit.business_address = ", ".join(line.strip() for line in lines if isinstance(line, str) and line.strip())[
            :255
        ]
    postal_code = address.get("postnummer")
    unit.postal_code = postal_code if isinstance(postal_code, str) and len(postal_code) == 4 else ""
    unit.postal_code = unit.postal_code if unit.postal_code.isdigit() else ""
    place = _text(address.get("poststed"), 100)
    country_code = address.get("landkode")
    if isinstance(country_code, str) and country_code and country_code != "NO":
        country = _text(address.get("land"), 60)
        place = f"{place}, {country}"[:100] if country and place else (place or country)
    unit.postal_place = place
    municipality = address.get("kommunenummer")
    unit.municipality_number = municipality if isinstance(municipality, str) and len(municipality) == 4 else ""
    email = _text(raw.get("epostadresse"), 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            email = ""
    unit.email = email
    unit.phone = _text(raw.get("telefon"), 30) or _text(raw.get("mobil"), 30)
    unit.written_form = written_form_of(raw.get("maalform"))
    sector = raw.get("institusjonellSektorkode")
    code = sector.get("kode") if isinstance(sector, dict) else None
    unit.sector_code = code[:4] if isinstance(code, str) else ""
    return unit


def removed_unit(org_number: str) -> Unit:
    """A unit the feed reports as removed (Fjernet) for legal reasons."""
    return Unit(org_number=org_number, removed=True, reduced=True)


def deleted_unit(org_number: str, on: dt.date) -> Unit:
    """A unit the feed reports as deleted (Sletting)."""
    return Unit(org_number=org_number, deleted_on=on, reduced=True)

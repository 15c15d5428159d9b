"""Demo: health enterprises Enhetsregisteret says must be members (the candidate list is not empty),
and a member whose standing in the register changed (the follow-up list)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from enhetsregisteret.models import FollowUp, RegisterEntry
from memberships.choices import MembershipState
from memberships.services import membership_for, membership_transition
from organisations.choices import OrganisationForm, RegisterStatus, Source
from organisations.models import Organisation
from organisations.validators import with_check_digit

CANDIDATES = [  # (number base, name, form, industry code, days since first seen)
    ("93100010", "MOELV LEGEKONTOR AS", OrganisationForm.AS, "86.211", 3),
    ("93100020", "FYSIOTERAPEUT LISE STRAND", OrganisationForm.ENK, "86.902", 6),
    ("93100030", "NES TANNHELSE AS", OrganisationForm.AS, "86.230", 12),
    ("93100040", "BRØTTUM HELSE OG OMSORG AS", OrganisationForm.AS, "86.906", 20),
    ("93100050", "LEGE ASBJØRN ØVERBY", OrganisationForm.ENK, "86.211", 75),
]


def _number(base: str) -> str:
    for step in range(10):
        number = with_check_digit(f"{int(base) + step:08d}")
        if number:
            return number
    raise ValueError(base)


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    now = timezone.now()
    municipality = organisations.get("municipality")
    for base, name, form, code, days in CANDIDATES:
        org, _created = Organisation.objects.get_or_create(
            org_number=_number(base),
            defaults={
                "name": name,
                "form": form,
                "industry_codes": [code],
                "source": Source.ENHETSREGISTERET,
                "address_municipality": getattr(municipality, "address_municipality", None),
                "postal_place": "BRUMUNDDAL",
                "synced_at": now,
            },
        )
        RegisterEntry.objects.get_or_create(
            organisation=org,
            defaults={"must_be_member": True, "first_seen_at": now - dt.timedelta(days=days), "sector_code": "2100"},
        )
    # A member that went bankrupt: flagged for follow-up, never removed. Its own organisation, so the
    # other demo journeys keep members in good standing.
    org, _created = Organisation.objects.get_or_create(
        org_number=_number("93100090"),
        defaults={
            "name": "HAMAR KIROPRAKTIKK AS",
            "form": OrganisationForm.AS,
            "industry_codes": ["86.909"],
            "source": Source.ENHETSREGISTERET,
            "register_status": RegisterStatus.BANKRUPT,
            "postal_place": "HAMAR",
            "synced_at": now,
        },
    )
    membership = membership_for(org)
    if membership.state == MembershipState.NOT_MEMBER:
        membership_transition(membership=membership, to_state=MembershipState.ACTIVE, reason="Medlem siden 2021 (demo)")
    RegisterEntry.objects.get_or_create(
        organisation=org, defaults={"bankrupt": True, "first_seen_at": now - dt.timedelta(days=900)}
    )
    if not FollowUp.objects.filter(organisation=org, reason="bankrupt").exists():
        FollowUp.objects.create(organisation=org, reason="bankrupt", detected_at=now - dt.timedelta(days=2))


# The demo's register roles (what /enheter/{orgnr}/roller would answer), so that the demo's signatories
# sign because the register says so: (organisation key, role code, description, first, middle, last, born).
# A persona who is also at the local OpenID Provider (devtools/oidc/personas.json) is born on the date her
# synthetic identity number encodes: the ID-porten login sets the account's birth date from that number,
# and the authority check matches it against these entries (demo/tests check that they agree).
DEMO_ROLES = [
    ("municipality", "DAGL", "Daglig leder/ adm.direktør", "Kari", "", "Nordmann", "1970-05-15"),
    ("municipality", "LEDE", "Styrets leder", "Ordfører", "", "Demo", "1960-01-01"),
    ("ola", "INNH", "Innehaver", "Ola", "", "Berg", "1988-06-11"),
    ("other_municipality", "DAGL", "Daglig leder/ adm.direktør", "Hilde", "", "Dahl", "1968-09-30"),
    ("other_municipality", "SIGN", "Signatur", "Tor", "", "Bakken", "1975-11-21"),
]
DEMO_BIRTH_DATES = {
    "kari@demo.medlemsportal.no": "1970-05-15",
    "ola@demo.medlemsportal.no": "1988-06-11",
    "tor@demo.medlemsportal.no": "1975-11-21",
}


def seed_register_roles(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    """The demo register's roles, read "now" (every `make run` seeds again, so a demo never asks brreg),
    and the personas' birth dates (the ID-porten login sets them for real users)."""
    from enhetsregisteret.authority import store
    from enhetsregisteret.roles import Entry

    for email, born in DEMO_BIRTH_DATES.items():
        user = users.get(email)
        if user is not None and user.birth_date is None:
            user.birth_date = dt.date.fromisoformat(born)
            user.save(update_fields=["birth_date"])
    by_org: dict[str, list[Entry]] = {}
    for key, code, description, first, middle, last, born in DEMO_ROLES:
        entry = Entry(code, code, description, first, middle, last, dt.date.fromisoformat(born), True)
        by_org.setdefault(key, []).append(entry)
    for key, entries in by_org.items():
        if key in organisations:
            store(organisations[key], entries)

"""The demo world: named personas (JOURNEYS.md) and a few health enterprises, all marked as demo.

Everything here is fictional. Organisation numbers are generated with a valid MOD11 check digit under
the prefix 999, and every organisation's source is "demo", so demo rows are never mistaken for data
from Enhetsregisteret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.roles import OrganisationRoleType as R
from core.roles import SignatoryBasis as B
from core.roles import StaffRole
from organisations.validators import with_check_digit

DEMO_PASSWORD = "Helsenett-demo-2025"  # noqa: S105 - printed on purpose: demo logins only, refused in production
DEMO_MUNICIPALITY = "3411"  # Ringsaker, Innlandet: the personas' "Eksempel kommune"
OTHER_MUNICIPALITY = "3403"  # Hamar


def demo_org_number(serial: int) -> str:
    """A valid organisation number 999xxxxxC for demo organisation ``serial`` (MOD11, weights 3,2,7,6,5,4,3,2)."""
    for candidate in range(serial * 10, serial * 10 + 10):
        if number := with_check_digit(f"999{candidate:05d}"):
            return number
    raise ValueError(serial)  # unreachable: one of ten consecutive bases always has a valid digit


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    form: str
    industry_code: str
    municipality: str
    serial: int


@dataclass(frozen=True)
class Persona:
    email: str
    full_name: str
    journey: str
    staff_role: str = ""
    roles: tuple[tuple[str, str, str], ...] = ()  # (organisation key, role, signatory basis)
    coordinates: tuple[str, ...] = ()  # Diginettverk of these municipality numbers
    superuser: bool = False
    extra: dict[str, str] = field(default_factory=dict)


ORGANISATIONS = [
    DemoOrganisation("ola", "Lege Ola Berg (demo)", "ENK", "86.211", DEMO_MUNICIPALITY, 1),
    DemoOrganisation("legesenter", "Brumunddal Legesenter AS (demo)", "AS", "86.211", DEMO_MUNICIPALITY, 2),
    DemoOrganisation("fysio", "Hamar Fysioterapi AS (demo)", "AS", "86.904", OTHER_MUNICIPALITY, 3),
    DemoOrganisation("tannlege", "Tannlege Nora Vik (demo)", "ENK", "86.230", OTHER_MUNICIPALITY, 4),
    DemoOrganisation("psykolog", "Psykolog Amir Haddad (demo)", "ENK", "86.909", DEMO_MUNICIPALITY, 5),
]

PERSONAS = [
    Persona(
        "kari@demo.medlemsportal.no",
        "Kari Nordmann",
        "Municipal director: signs for Ringsaker kommune",
        roles=(("municipality", R.SIGNATORY, B.GENERAL_MANAGER), ("municipality", R.ADMIN, "")),
    ),
    Persona(
        "ingrid@demo.medlemsportal.no",
        "Ingrid Hansen",
        "IT manager: administrator and technical contact",
        roles=(("municipality", R.ADMIN, ""), ("municipality", R.TECHNICAL_CONTACT, "")),
    ),
    Persona(
        "per@demo.medlemsportal.no",
        "Per Johansen",
        "Security officer: security contact",
        roles=(("municipality", R.SECURITY_CONTACT, ""),),
    ),
    Persona(
        "ola@demo.medlemsportal.no",
        "Ola Berg",
        "GP with his own ENK: owner and signatory",
        roles=(("ola", R.SIGNATORY, B.OWNER), ("ola", R.ADMIN, "")),
    ),
    Persona(
        "tor@demo.medlemsportal.no",
        "Tor Bakken",
        "Administrator in another municipality (Hamar)",
        roles=(("other_municipality", R.ADMIN, ""), ("other_municipality", R.SIGNATORY, B.SIGNATURE_RIGHT)),
    ),
    Persona(
        "siri@demo.medlemsportal.no",
        "Siri Dahl",
        "Diginettverk coordinator (Digi Innlandet)",
        coordinates=(DEMO_MUNICIPALITY,),
    ),
    Persona(
        "nils@demo.medlemsportal.no", "Nils Lund", "NHN membership manager", staff_role=StaffRole.MEMBERSHIP_MANAGER
    ),
    Persona("aisha@demo.medlemsportal.no", "Aisha Khan", "NHN customer centre", staff_role=StaffRole.CUSTOMER_CENTRE),
    Persona(
        "jonas@demo.medlemsportal.no", "Jonas Moe", "HelseCERT/KommuneCERT analyst", staff_role=StaffRole.CERT_ANALYST
    ),
    Persona(
        "admin@demo.medlemsportal.no",
        "Sara Admin",
        "NHN system administrator",
        staff_role=StaffRole.SYSTEM_ADMIN,
        superuser=True,
    ),
]


def _dev_identities() -> dict[str, str]:
    """E-mail -> synthetic identity number of the personas the local OpenID Provider holds
    (devtools/oidc/personas.json), so "Log in with ID-porten (test)" arrives at the demo account."""
    path = Path(__file__).resolve().parent.parent / "devtools" / "oidc" / "personas.json"
    if not path.exists():
        return {}
    return {p["email"]: p["pid"] for p in json.loads(path.read_text(encoding="utf-8"))}


DEV_IDENTITIES = _dev_identities()

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.roles import OrganisationRoleType, StaffRole
from organisations.tests.factories import RoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _in_english(english: Any) -> None:
    """Every test here reads the English texts (the root conftest's ``english``); a test of the Norwegian
    text asks for it with ``HTTP_ACCEPT_LANGUAGE="nb"``."""


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Path) -> Path:
    settings.INCIDENT_ATTACHMENT_DIR = tmp_path / "private"
    return settings.INCIDENT_ATTACHMENT_DIR


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    users = {
        "sec_a": UserFactory(email="sikkerhet@ringsaker.example.no", full_name="Sara Sikker"),
        "analyst2": UserFactory(email="analyst2@nhn.example.no", staff_role=StaffRole.CERT_ANALYST),
    }
    RoleFactory(user=users["sec_a"], organisation=world.org_a, role=OrganisationRoleType.SECURITY_CONTACT)
    world.users.update(users)
    return users


REPORT = {
    "title": "Løsepengevirus på arkivserver",
    "what_happened": "Filer på arkivserveren er kryptert. Vi har koblet serveren fra nettet.",
    "discovered_at": "2026-11-24T07:30",
    "affected_systems": "Arkivserver, fagsystem for helsestasjon",
    "personal_data": "yes",
    "health_data": "unknown",
    "ongoing": "on",
    "contact_name": "Sara Sikker",
    "contact_phone": "+47 62 33 44 55",
    "contact_email": "sikkerhet@ringsaker.example.no",
}


def make_incident(world: Any, reporter: Any, org: Any = None, **extra: Any) -> Any:
    import datetime as dt

    from django.utils import timezone

    from incidents import services

    data = {k: v for k, v in REPORT.items() if k not in {"discovered_at", "ongoing"}}
    data.update(discovered_at=timezone.now() - dt.timedelta(hours=2), ongoing=True, **extra)
    return services.incident_report(actor=reporter, organisation=org or world.org_a, data=data, files=[])

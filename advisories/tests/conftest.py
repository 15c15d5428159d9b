"""Advisory fixtures: a security contact in org A, a second analyst, and quick advisory builders."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from advisories.choices import AdvisoryStatus, Severity
from advisories.models import Advisory, AdvisoryRevision
from core.roles import OrganisationRoleType, StaffRole
from memberships.choices import MembershipState
from memberships.models import Membership
from organisations.tests.factories import RoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _in_english(english: Any) -> None:
    """Every test here reads the English texts (the root conftest's ``english``); a test of the Norwegian
    text asks for it with ``HTTP_ACCEPT_LANGUAGE="nb"``."""


@pytest.fixture
def sec(world: Any) -> dict[str, Any]:
    """Org A and org B members (membership active); security contacts: ``sec_a`` for org A (Ringsaker, Innlandet), ``sec_b`` for org B (Bergen),
    ``outsider`` a person with no role anywhere, and ``analyst2`` a second CERT analyst."""
    people = {
        "sec_a": UserFactory(email="sikkerhet@ringsaker.example.no", full_name="Sara Sikker"),
        "sec_b": UserFactory(email="sikkerhet@bergen.example.no", full_name="Bent Sikker"),
        "outsider": UserFactory(email="utenfor@example.no", full_name="Ulf Utenfor"),
        "analyst2": UserFactory(email="analyst2@nhn.example.no", staff_role=StaffRole.CERT_ANALYST),
    }
    # Advisories reach members in force only: org A and org B are members.
    for org in (world.org_a, world.org_b):
        Membership.objects.update_or_create(organisation=org, defaults={"state": MembershipState.ACTIVE})
    RoleFactory(user=people["sec_a"], organisation=world.org_a, role=OrganisationRoleType.SECURITY_CONTACT)
    RoleFactory(user=people["sec_b"], organisation=world.org_b, role=OrganisationRoleType.SECURITY_CONTACT)
    world.users.update(people)
    return people


_serial = iter(range(1, 100_000))


def make_advisory(
    *,
    tlp: str,
    author: Any = None,
    counties: list[Any] = (),
    organisations: list[Any] = (),
    people: list[Any] = (),
    audience_all: bool = False,
    forms: list[str] = (),
    severity: str = Severity.HIGH,
    title: str | None = None,
    published: bool = True,
    **fields: Any,
) -> Advisory:
    """A published advisory straight into the database (the workflow has its own tests)."""
    number = next(_serial)
    now = timezone.now()
    advisory = Advisory.objects.create(
        tracking_id=f"NHN-TEST-{number:04d}",
        title=title or f"Sårbarhet {number} i journalsystem ({tlp or 'uten TLP'})",
        summary="Kritisk sårbarhet i fjerntilgang.",
        body="## Detaljer\n\nOppdater **nå**.",
        severity=severity,
        tlp=tlp,
        audience_all=audience_all,
        audience_forms=f",{','.join(forms)}," if forms else "",
        status=AdvisoryStatus.PUBLISHED if published else AdvisoryStatus.DRAFT,
        revision=1 if published else 0,
        published_at=fields.pop("published_at", now) if published else None,
        author=author,
        **fields,
    )
    advisory.audience_counties.set(counties)
    advisory.audience_organisations.set(organisations)
    advisory.audience_people.set(people)
    if published:
        AdvisoryRevision.objects.create(
            advisory=advisory, number=1, content=advisory.snapshot(), published_at=advisory.published_at
        )
    return advisory

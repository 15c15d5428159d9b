"""seed_scale at a small size: valid organisation numbers, the chain still verifies, counts, idempotence."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from stdnum.no import orgnr

from agreements.models import ServiceAgreement
from core.audit import verify_chain
from core.models import AuditEvent
from demo.scale import seed_scale
from memberships.models import Signature
from organisations.models import Organisation


@pytest.fixture
def demo_world(db: Any) -> None:
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", without_history=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_small_scale_dataset(demo_world: None) -> None:
    before_events = AuditEvent.objects.count()
    report = seed_scale(enterprises=300, agreements=2_000, audit_events=before_events + 1_500)

    enterprises = Organisation.objects.filter(org_number__startswith="92", source="demo")
    assert enterprises.count() == 300
    assert all(orgnr.is_valid(n) for n in enterprises.values_list("org_number", flat=True))
    assert Signature.objects.filter(organisation__in=enterprises).count() == report.signatures
    assert 150 < report.signatures < 270  # about 70 % signed
    assert ServiceAgreement.objects.count() == 2_000
    assert AuditEvent.objects.count() == before_events + 1_500
    assert verify_chain().ok

    again = seed_scale(enterprises=300, agreements=2_000, audit_events=before_events + 1_500)
    assert (again.signatures, again.agreements, again.audit_events) == (0, 0, 0)
    assert enterprises.count() == 300


def test_needs_the_demo_first(db: Any) -> None:
    with pytest.raises(ValueError, match="seed_demo"):
        seed_scale(enterprises=1, agreements=1, audit_events=1)

"""The demo: the catalogue, agreements to re-sign for the demo municipality, and orders in the queue; once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from agreements.choices import AgreementState
from agreements.models import OrganisationSize, Service, ServiceAgreement, ServiceSigning
from orders.choices import OrderState
from orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Service.objects.count(),
        OrganisationSize.objects.count(),
        ServiceAgreement.objects.count(),
        ServiceSigning.objects.count(),
        Order.objects.count(),
        OrderEvent.objects.count(),
    )


def test_the_demo_seeds_services_agreements_and_orders_once(db: Any) -> None:
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", without_history=True, verbosity=0)

    seeded = counts()
    assert seeded[0] == 16
    must_resign = ServiceAgreement.objects.filter(state=AgreementState.MUST_RESIGN)
    assert sorted(a.service.slug for a in must_resign) == ["e-resept", "kjernejournal"]
    orders = {o.service.slug: o for o in Order.objects.select_related("assignee")}
    assert set(orders) == {"helsenorge", "digihelse"}
    assert orders["helsenorge"].state == OrderState.IN_REVIEW
    assert orders["helsenorge"].assignee is not None
    assert orders["digihelse"].state == OrderState.SUBMITTED
    signing = ServiceSigning.objects.get()
    assert [i["slug"] for i in signing.items] == ["helsenorge", "digihelse"]
    assert bytes(signing.signed_pdf).startswith(b"%PDF")

    call_command("seed_demo", without_history=True, verbosity=0)
    assert counts() == seeded

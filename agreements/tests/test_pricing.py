"""The price model: the estimated annual cost of a service for a member."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from agreements import pricing
from agreements.choices import PriceBasis
from agreements.models import OrganisationSize, Service


def svc(basis: str, *, fixed: str = "0", unit: str = "0", minimum: str = "0") -> Service:
    return Service(
        price_basis=basis, fixed_amount=Decimal(fixed), unit_price=Decimal(unit), minimum_amount=Decimal(minimum)
    )


def test_a_free_service_costs_nothing() -> None:
    result = pricing.estimate(svc(PriceBasis.FREE), inhabitants=50_000)
    assert result.amount == Decimal(0)
    assert result.known


def test_a_fixed_amount_is_the_same_for_everyone() -> None:
    assert pricing.estimate(svc(PriceBasis.FIXED, fixed="36000")).amount == Decimal(36000)
    assert pricing.estimate(svc(PriceBasis.FIXED, fixed="36000"), inhabitants=1).amount == Decimal(36000)


def test_a_fixed_amount_below_the_minimum_costs_the_minimum() -> None:
    assert pricing.estimate(svc(PriceBasis.FIXED, fixed="1000", minimum="1500")).amount == Decimal(1500)


def test_per_inhabitant_multiplies_and_rounds_to_whole_kroner() -> None:
    result = pricing.estimate(svc(PriceBasis.PER_INHABITANT, unit="1.20"), inhabitants=35_123)
    assert result.amount == Decimal(42148)  # 42 147.60 rounded half up
    assert "35\u00a0123" in result.explanation


def test_per_inhabitant_adds_the_fixed_amount() -> None:
    assert pricing.estimate(
        svc(PriceBasis.PER_INHABITANT, fixed="1000", unit="0.50"), inhabitants=10_000
    ).amount == Decimal(6000)


def test_per_employee_counts_employees_not_inhabitants() -> None:
    service = svc(PriceBasis.PER_EMPLOYEE, unit="150")
    assert pricing.estimate(service, employees=40, inhabitants=10_000).amount == Decimal(6000)


@pytest.mark.parametrize(
    ("basis", "count", "expected"),
    [(PriceBasis.PER_INHABITANT, {"inhabitants": 1000}, 5000), (PriceBasis.PER_EMPLOYEE, {"employees": 3}, 2000)],
)
def test_the_minimum_applies_when_the_units_cost_less(basis: str, count: dict[str, int], expected: int) -> None:
    minimum = "5000" if basis == PriceBasis.PER_INHABITANT else "2000"
    result = pricing.estimate(
        svc(basis, unit="1.20" if basis == PriceBasis.PER_INHABITANT else "150", minimum=minimum), **count
    )
    assert result.amount == Decimal(expected)


def test_above_the_minimum_the_units_decide() -> None:
    result = pricing.estimate(svc(PriceBasis.PER_INHABITANT, unit="1.20", minimum="5000"), inhabitants=10_000)
    assert result.amount == Decimal(12000)


@pytest.mark.parametrize("basis", [PriceBasis.PER_INHABITANT, PriceBasis.PER_EMPLOYEE])
def test_an_unknown_size_gives_no_amount(basis: str) -> None:
    result = pricing.estimate(svc(basis, unit="2", minimum="100"))
    assert result.amount is None
    assert not result.known
    # the other count does not stand in for the missing one
    other = {"employees": 10} if basis == PriceBasis.PER_INHABITANT else {"inhabitants": 10}
    assert pricing.estimate(svc(basis, unit="2"), **other).amount is None


def test_for_organisation_uses_its_size(world: Any, catalogue: dict[str, Any]) -> None:
    org = world.org_a
    OrganisationSize.objects.create(organisation=org, inhabitants=35_000, employees=3_000, source="SSB 2025Q1")
    org.refresh_from_db()
    assert pricing.for_organisation(catalogue["kjernejournal"], org).amount == Decimal(42000)  # 35 000 × 1.20
    assert pricing.for_organisation(catalogue["e-resept"], org).amount == Decimal(450000)  # 3 000 × 150
    assert pricing.for_organisation(catalogue["helsenettforbindelse"], org).amount == Decimal(36000)


def test_for_organisation_without_a_size_knows_only_fixed_and_free(world: Any, catalogue: dict[str, Any]) -> None:
    org = world.org_b
    assert pricing.for_organisation(catalogue["kjernejournal"], org).amount is None
    assert pricing.for_organisation(catalogue["helsenettforbindelse"], org).amount == Decimal(36000)
    assert pricing.for_organisation(catalogue["grunndata"], org).amount == Decimal(0)


def test_for_organisation_with_a_size_missing_one_count(world: Any, catalogue: dict[str, Any]) -> None:
    OrganisationSize.objects.create(organisation=world.org_a, inhabitants=35_000)
    world.org_a.refresh_from_db()
    assert pricing.for_organisation(catalogue["e-resept"], world.org_a).amount is None


def test_total_sums_the_known_and_says_whether_all_were_known() -> None:
    known = [pricing.Estimate(Decimal(100), ""), pricing.Estimate(Decimal(250), "")]
    assert pricing.total(known) == (Decimal(350), True)
    assert pricing.total([*known, pricing.Estimate(None, "")]) == (Decimal(350), False)
    assert pricing.total([]) == (Decimal(0), True)

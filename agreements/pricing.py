"""The price model: what a service is estimated to cost a member per year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from agreements.choices import PriceBasis
from agreements.models import OrganisationSize


@dataclass(frozen=True)
class Estimate:
    amount: Decimal | None  # None when the count it depends on is unknown
    explanation: str

    @property
    def known(self) -> bool:
        return self.amount is not None


def _number(value: Decimal | int, decimals: int = 0) -> str:
    """A number in the active language's format: grouped thousands, that language's decimal mark."""
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _kr(amount: Decimal) -> str:
    return _number(amount) + "\u00a0kr"


def estimate(service: Any, *, inhabitants: int | None = None, employees: int | None = None) -> Estimate:
    """The estimated annual cost of ``service`` for a member with that many inhabitants or employees.

    fixed amount + price per unit × units, never less than the minimum; rounded to whole kroner.
    """
    basis = service.price_basis
    if basis == PriceBasis.FREE:
        return Estimate(Decimal(0), _("No charge."))
    if basis == PriceBasis.FIXED:
        amount = max(service.fixed_amount, service.minimum_amount)
        return Estimate(amount.quantize(Decimal(1), ROUND_HALF_UP), _("Fixed annual amount."))
    units, unit_name = (
        (inhabitants, _("inhabitants")) if basis == PriceBasis.PER_INHABITANT else (employees, _("employees"))
    )
    if units is None:
        return Estimate(None, _("Depends on the number of %(unit)s, which we do not know yet.") % {"unit": unit_name})
    amount = service.fixed_amount + service.unit_price * units
    explanation = _("%(units)s %(unit)s × %(price)s kr") % {
        "units": _number(units),
        "unit": unit_name,
        "price": _number(service.unit_price, 2),
    }
    if service.fixed_amount:
        explanation += " + " + _kr(service.fixed_amount)
    if amount < service.minimum_amount:
        amount = service.minimum_amount
        explanation += " " + _("(the minimum amount applies)")
    return Estimate(amount.quantize(Decimal(1), ROUND_HALF_UP), explanation)


def for_organisation(service: Any, organisation: Any) -> Estimate:
    size = getattr(organisation, "size", None) if _has_size(organisation) else None
    return estimate(
        service,
        inhabitants=size.inhabitants if size else None,
        employees=size.employees if size else None,
    )


def _has_size(organisation: Any) -> bool:
    try:
        organisation.size  # noqa: B018 - a reverse one-to-one raises when missing
    except OrganisationSize.DoesNotExist:
        return False
    return True


def total(estimates: list[Estimate]) -> tuple[Decimal, bool]:
    """The sum of the known estimates, and whether every estimate was known."""
    return sum((e.amount for e in estimates if e.amount is not None), Decimal(0)), all(e.known for e in estimates)


format_kroner = _kr

"""What agreements asks of the orders app above it, without importing it.

`orders` depends on `agreements` (an order names a service, its terms and the signing), so
`agreements` may not import `orders`. The guided flow still has to know which services already have an
open order, the service pages list an organisation's orders, and signing services submits an order
for each new one. `orders` registers one order book here in its AppConfig.ready() (see
docs/architecture.md, "Extension points").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

if TYPE_CHECKING:
    from accounts.models import User
    from agreements.models import Service, ServiceSigning, ServiceTermsVersion
    from organisations.models import Organisation


class SubmitOrder(Protocol):
    def __call__(
        self,
        *,
        organisation: Organisation,
        service: Service,
        terms_version: ServiceTermsVersion,
        signing: ServiceSigning,
        actor: User,
        at: dt.datetime | None = None,
    ) -> object: ...


@dataclass(frozen=True)
class OrderBook:
    """The orders app's answers: an organisation's orders (``open_only``: those still being handled),
    and how to submit one inside the caller's transaction."""

    orders_of: Callable[[Organisation, bool], QuerySet[Any]]
    submit: SubmitOrder


_BOOK: list[OrderBook] = []


def register_order_book(book: OrderBook) -> None:
    _BOOK[:] = [book]


def order_book() -> OrderBook:
    if not _BOOK:
        raise ImproperlyConfigured("No order book registered: is the orders app installed?")
    return _BOOK[0]


def orders_of(organisation: Organisation, *, open_only: bool = False) -> QuerySet[Any]:
    return order_book().orders_of(organisation, open_only)


def pending_service_ids(organisation: Organisation) -> set[int]:
    """Services the organisation has ordered and not yet received (they count as held)."""
    return set(orders_of(organisation, open_only=True).values_list("service_id", flat=True))

"""Reads other apps ask of orders (registered with `agreements.hooks` in OrdersConfig.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders.models import Order, OrderQuerySet

if TYPE_CHECKING:
    from organisations.models import Organisation


def orders_of(organisation: Organisation, open_only: bool) -> OrderQuerySet:
    """The organisation's orders; with ``open_only``, those the customer centre still handles."""
    orders = Order.objects.filter(organisation=organisation)
    return orders.open() if open_only else orders

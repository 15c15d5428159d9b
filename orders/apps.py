from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from agreements.hooks import OrderBook, register_order_book
        from core import navigation
        from core.permissions import Action, can
        from orders.selectors import orders_of
        from orders.services import submit_order

        register_order_book(OrderBook(orders_of=orders_of, submit=submit_order))

        navigation.register(
            navigation.NavLink(
                "orders:queue",
                _("Order queue"),
                allowed=lambda user: can(user, Action.ORDER_HANDLE),
                place=navigation.WORK,
                order=20,
            )
        )

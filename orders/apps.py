from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from core import navigation
        from core.permissions import Action, can

        navigation.register(
            navigation.NavLink(
                "orders:queue",
                _("Order queue"),
                allowed=lambda user: can(user, Action.ORDER_HANDLE),
                place=navigation.WORK,
                order=20,
            )
        )

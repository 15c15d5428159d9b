from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services and agreements")

    def ready(self) -> None:
        from core import navigation
        from memberships.documents import AGREEMENT_LOOKUPS
        from organisations.panels import register_panel
        from services.documents import agreement_by_sha256
        from services.panels import services_panel

        register_panel(services_panel)
        if agreement_by_sha256 not in AGREEMENT_LOOKUPS:
            AGREEMENT_LOOKUPS.append(agreement_by_sha256)
        navigation.register(
            navigation.NavLink(
                "services:catalogue",
                _("Services"),
                allowed=lambda user: True,
                order=40,
                also_current=("services:overview", "services:service_detail"),
            )
        )

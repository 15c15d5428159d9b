from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """The service catalogue and agreements. The label stays "services" so that tables and migrations
    written before the package was renamed stay valid."""

    name = "agreements"
    label = "services"
    verbose_name = _("Services and agreements")

    def ready(self) -> None:
        from agreements.documents import agreement_by_sha256
        from agreements.panels import services_panel
        from core import navigation
        from memberships.documents import AGREEMENT_LOOKUPS
        from organisations.panels import register_panel

        register_panel(services_panel)
        if agreement_by_sha256 not in AGREEMENT_LOOKUPS:
            AGREEMENT_LOOKUPS.append(agreement_by_sha256)
        navigation.register(
            navigation.NavLink(
                "agreements:catalogue",
                _("Services"),
                allowed=lambda user: True,
                order=40,
                also_current=("agreements:overview", "agreements:service_detail"),
            )
        )

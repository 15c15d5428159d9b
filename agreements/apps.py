from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """The service catalogue and agreements. The label stays "services" so that tables and migrations
    written before the package was renamed stay valid."""

    name = "agreements"
    label = "services"
    verbose_name = _("Services and agreements")

    def ready(self) -> None:
        from agreements.documents import ARCHIVE
        from agreements.panels import services_panel
        from core import navigation
        from core.sealing import register_archive
        from organisations.panels import register_panel

        register_panel(services_panel)
        register_archive(ARCHIVE)
        navigation.register(
            navigation.NavLink(
                "agreements:catalogue",
                _("Services"),
                allowed=lambda user: True,
                order=40,
                also_current=("agreements:overview", "agreements:service_detail"),
            )
        )

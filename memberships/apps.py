from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = _("Membership terms and signing")

    def ready(self) -> None:
        from memberships.panels import membership_panel
        from organisations.panels import register_panel

        register_panel(membership_panel)

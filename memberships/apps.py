from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = _("Membership terms and signing")

    def ready(self) -> None:
        from core.sealing import register_archive
        from memberships.documents import ARCHIVE
        from memberships.panels import membership_panel
        from organisations.panels import register_panel

        register_panel(membership_panel)
        register_archive(ARCHIVE)

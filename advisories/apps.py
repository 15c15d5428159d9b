from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisoriesConfig(AppConfig):
    name = "advisories"
    verbose_name = _("Security advisories")

    def ready(self) -> None:
        from advisories.panels import security_panel
        from core.navigation import WORK, NavLink, register
        from core.permissions import Action, can
        from organisations.panels import register_panel

        register_panel(security_panel)
        register(
            NavLink(
                "advisories:list",
                _("Security"),
                lambda user: getattr(user, "is_authenticated", False),
                order=60,
                also_current=("advisories:detail", "advisories:threat_picture"),
            )
        )
        register(
            NavLink(
                "advisories:create",
                _("Write a security advisory"),
                lambda user: can(user, Action.ADVISORY_MANAGE),
                place=WORK,
            )
        )

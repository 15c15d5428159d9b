from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Security incidents")

    def ready(self) -> None:
        from core.navigation import WORK, NavLink, register
        from core.permissions import Action, can
        from incidents.panels import incidents_panel
        from organisations.panels import register_panel

        register_panel(incidents_panel)
        register(
            NavLink(
                "incidents:list",
                _("Incidents at HelseCERT"),
                lambda user: can(user, Action.INCIDENT_TRIAGE),
                place=WORK,
            )
        )

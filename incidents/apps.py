from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Security incidents")

    def ready(self) -> None:
        from core.navigation import MAIN, WORK, NavLink, register
        from core.permissions import Action, can, effective_staff_role, visibility
        from incidents.panels import incidents_panel
        from organisations.panels import register_panel

        register_panel(incidents_panel)
        # The Security part of the menu: next to "Security" (advisories), for anyone with a role in an
        # organisation (they may report for it); the page lists the user's organisations to report for.
        register(
            NavLink(
                "incidents:list",
                _("Report an incident"),
                lambda user: not effective_staff_role(user) and bool(visibility(user).organisation_ids),
                order=61,
                place=MAIN,
                also_current=("incidents:report", "incidents:detail", "incidents:incident_access_log"),
            )
        )
        register(
            NavLink(
                "incidents:list",
                _("Incidents at HelseCERT"),
                lambda user: can(user, Action.INCIDENT_TRIAGE),
                place=WORK,
            )
        )

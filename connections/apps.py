from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = _("Helsenett connections")

    def ready(self) -> None:
        from connections.panels import connection_panel
        from core.navigation import MAIN, WORK, NavLink, register
        from core.permissions import Action, can
        from organisations.panels import register_panel

        register_panel(connection_panel)
        from connections.services import connections_move_on_merger
        from enhetsregisteret.services import organisation_merged

        organisation_merged.connect(connections_move_on_merger, dispatch_uid="connections-move-on-merger")
        register(
            NavLink(
                "connections:connection_list",
                _("Connections"),
                lambda user: getattr(user, "is_authenticated", False),
                order=40,
                place=MAIN,
                also_current=("connections:connection_detail",),
            )
        )
        register(
            NavLink(
                "connections:backbone_uptime",
                _("Uptime of the backbone"),
                lambda user: can(user, Action.CONNECTION_STATUS_VIEW),
                order=40,
                place=WORK,
            )
        )
        register(
            NavLink(
                "connections:request_queue",
                _("Connection requests"),
                lambda user: can(user, Action.CONNECTION_REQUESTS_HANDLE),
                order=42,
                place=WORK,
                also_current=("connections:change_request_detail", "connections:termination_detail"),
            )
        )
        register(
            NavLink(
                "connections:before_after",
                _("Connections before and after"),
                lambda user: can(user, Action.CONNECTION_STATUS_VIEW),
                order=41,
                place=WORK,
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and webinars")

    def ready(self) -> None:
        from core.navigation import NavLink, register

        register(
            NavLink(
                "events:event_list",
                _("Events"),
                lambda user: getattr(user, "is_authenticated", False),
                order=50,
                also_current=("events:event_detail", "events:event_create", "events:event_edit"),
            )
        )

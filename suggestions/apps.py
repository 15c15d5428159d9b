from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("Topic suggestions")

    def ready(self) -> None:
        from core.navigation import NavLink, register

        register(
            NavLink(
                "suggestions:suggestion_list",
                _("Suggestions"),
                lambda user: getattr(user, "is_authenticated", False),
                order=55,
                also_current=("suggestions:suggestion_detail",),
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from core.navigation import NavLink, register

        register(
            NavLink(
                "surveys:survey_list",
                _("Surveys"),
                lambda user: getattr(user, "is_authenticated", False),
                order=58,
                also_current=("surveys:survey_answer", "surveys:survey_build", "surveys:survey_results"),
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401 - connects the audit receivers
        from core import navigation
        from core.permissions import Action, can

        navigation.register(
            navigation.NavLink(
                "accounts:unlock",
                _("Locked logins"),
                allowed=lambda user: can(user, Action.ACCOUNT_UNLOCK),
                place=navigation.WORK,
                order=90,
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnhetsregisteretConfig(AppConfig):
    name = "enhetsregisteret"
    verbose_name = _("Enhetsregisteret sync")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core.navigation import WORK, NavLink, register
        from core.permissions import Action, can
        from enhetsregisteret.panels import register_panel_section
        from enhetsregisteret.signals import signatory_roles_at_login
        from organisations.panels import register_panel

        register(
            NavLink(
                "enhetsregisteret:candidates",
                _("Who must be a member (Enhetsregisteret)"),
                lambda user: can(user, Action.MEMBERSHIP_MANAGE),
                place=WORK,
                also_current=(
                    "enhetsregisteret:rule_list",
                    "enhetsregisteret:rule_edit",
                    "enhetsregisteret:merger_create",
                ),
            )
        )
        register_panel(register_panel_section)
        user_logged_in.connect(signatory_roles_at_login, dispatch_uid="enhetsregisteret.signatory_roles_at_login")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Customer centre")

    def ready(self) -> None:
        from core.navigation import WORK, NavLink, register
        from core.permissions import Action, can, visibility
        from organisations.panels import register_panel
        from support.panels import support_panel

        register_panel(support_panel)

        # The footer and the help page read the hours staff edit here (issue 20), not the settings.
        from django.db.models.signals import post_delete, post_save

        from core.customer_centre import register_provider
        from support.hours import forget_summary, summary
        from support.models import OpeningHours

        register_provider(summary)
        post_save.connect(forget_summary, sender=OpeningHours, dispatch_uid="support-hours-forget")
        post_delete.connect(forget_summary, sender=OpeningHours, dispatch_uid="support-hours-forget-del")

        register(
            NavLink(
                "support:request_list",
                pgettext_lazy("menu", "Support"),
                # Members (a role in an organisation); agents go to the queue from the front page instead.
                lambda user: bool(visibility(user).organisation_ids) and not can(user, Action.SUPPORT_QUEUE),
                order=60,
                also_current=("support:request_detail", "support:request_create"),
            )
        )
        register(NavLink("support:queue", _("Support queue"), lambda user: can(user, Action.SUPPORT_QUEUE), place=WORK))
        register(
            NavLink(
                "support:attendance_list",
                _("Requests for NHN to attend"),
                lambda user: can(user, Action.ENGAGEMENT_MANAGE),
                place=WORK,
                order=110,
            )
        )

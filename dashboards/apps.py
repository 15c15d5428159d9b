from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from agreements.models import ServiceAgreement, ServiceTermsVersion
        from dashboards import freshness
        from memberships.models import Membership, Signature, TermsVersion
        from orders.models import Order
        from organisations.models import CoordinatorAssignment, County, Municipality, Organisation

        # Everything the status figures count: a change to any of it makes cached figures stale.
        # (Publishing service terms marks agreements "must re-sign" in one UPDATE, without signals: the
        # terms version's own save stands for it.)
        for model in (
            TermsVersion,  # which round the pages show unless asked for another
            Signature,
            Membership,
            Organisation,
            CoordinatorAssignment,
            Municipality,  # its name, county and network; the header search's hits show it too
            County,
            ServiceAgreement,
            ServiceTermsVersion,
            Order,
        ):
            post_save.connect(freshness.bump, sender=model, dispatch_uid=f"status-bump-save-{model.__name__}")
            post_delete.connect(freshness.bump, sender=model, dispatch_uid=f"status-bump-delete-{model.__name__}")

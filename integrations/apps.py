from collections.abc import Callable

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations (API and webhooks)")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models import Model
        from django.db.models.signals import post_delete, post_save

        from agreements.models import Service, ServiceAgreement
        from core.events import subscribe
        from integrations import member_cache
        from integrations.models import ApiToken
        from integrations.panels import integrations_panel
        from integrations.services import forget_owners_tokens, forget_token
        from integrations.webhooks import on_event, on_events
        from memberships.models import Membership, MembershipTransition, TermsVersion
        from organisations.models import County, Diginettverk, Municipality, Organisation, OrganisationRole
        from organisations.panels import register_panel

        subscribe(on_event, many=on_events)
        # The cached token check (integrations.services.api_token_authenticate) forgets what changes.
        for signal in (post_save, post_delete):
            signal.connect(forget_token, sender=ApiToken, dispatch_uid=f"forget_token_{signal is post_save}")
            signal.connect(
                forget_owners_tokens, sender=OrganisationRole, dispatch_uid=f"forget_role_{signal is post_save}"
            )
        post_save.connect(forget_owners_tokens, sender=get_user_model(), dispatch_uid="forget_owner_tokens")
        # The cached member answers (integrations.member_cache): everything an answer shows; the member
        # list's cached pages: that, and what the list filters on (a Diginettverk, a service held).
        shown: tuple[type[Model], ...] = (
            Organisation, Membership, MembershipTransition, TermsVersion, Municipality, County,
        )  # fmt: skip
        filtered: tuple[type[Model], ...] = (*shown, Diginettverk, Service, ServiceAgreement)
        receivers: tuple[tuple[Callable[..., None], str, tuple[type[Model], ...]], ...] = (
            (member_cache.bump, "member_cache", shown),
            (member_cache.bump_list, "member_list", filtered),
        )
        for receiver, name, models in receivers:
            for model in models:
                for signal in (post_save, post_delete):
                    signal.connect(
                        receiver, sender=model, dispatch_uid=f"{name}_{model.__name__}_{signal is post_save}"
                    )
        register_panel(integrations_panel)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations (API and webhooks)")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from core.events import subscribe
        from integrations import member_cache
        from integrations.models import ApiToken
        from integrations.panels import integrations_panel
        from integrations.services import forget_owners_tokens, forget_token
        from integrations.webhooks import on_event, on_events
        from memberships.models import Membership, MembershipTransition, TermsVersion
        from organisations.models import County, Municipality, Organisation, OrganisationRole
        from organisations.panels import register_panel

        subscribe(on_event, many=on_events)
        # The cached token check (integrations.services.api_token_authenticate) forgets what changes.
        for signal in (post_save, post_delete):
            signal.connect(forget_token, sender=ApiToken, dispatch_uid=f"forget_token_{signal is post_save}")
            signal.connect(
                forget_owners_tokens, sender=OrganisationRole, dispatch_uid=f"forget_role_{signal is post_save}"
            )
        post_save.connect(forget_owners_tokens, sender=get_user_model(), dispatch_uid="forget_owner_tokens")
        # The cached member answers (integrations.member_cache): everything an answer shows.
        for model in (Organisation, Membership, MembershipTransition, TermsVersion, Municipality, County):
            for signal in (post_save, post_delete):
                signal.connect(
                    member_cache.bump,
                    sender=model,
                    dispatch_uid=f"member_cache_{model.__name__}_{signal is post_save}",
                )
        register_panel(integrations_panel)

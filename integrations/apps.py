from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations (API and webhooks)")

    def ready(self) -> None:
        from core.events import subscribe
        from integrations.panels import integrations_panel
        from integrations.webhooks import on_event
        from organisations.panels import register_panel

        subscribe(on_event)
        register_panel(integrations_panel)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations (API and webhooks)")

    def ready(self) -> None:
        from core.events import subscribe
        from integrations.webhooks import on_event

        subscribe(on_event)

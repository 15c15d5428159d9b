from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnhetsregisteretConfig(AppConfig):
    name = "enhetsregisteret"
    verbose_name = _("Enhetsregisteret sync")

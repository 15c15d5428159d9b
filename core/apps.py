from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core import lookups  # noqa: F401 - registers field__any


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.PortalAdminSite"

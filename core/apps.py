from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = _("Audit log and e-mail")

    def ready(self) -> None:
        from django.core import checks

        from core import lookups  # noqa: F401 - registers field__any
        from core.stacks import check_stacks

        checks.register(check_stacks, checks.Tags.security)


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.PortalAdminSite"


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks-db as the staff admin shows it: its own name is an English string not marked for
    translation."""

    verbose_name = _("Background tasks")  # type: ignore[assignment]  # a lazy translation, as Django reads it (str())

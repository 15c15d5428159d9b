from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.permissions import Action, can


class PortalAdminSite(AdminSite):
    """The Django admin, open to the NHN staff roles the permission module allows (not to every staff)."""

    site_header = _("Medlemsportal – administration")
    site_title = "Medlemsportal"

    def has_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Action.ADMIN_SITE)

from typing import Any

from django.contrib.auth.backends import ModelBackend

from core import permissions


class PortalBackend(ModelBackend):
    """Password login by e-mail (case-insensitive); model permissions come from core.permissions.

    Django's per-user permission tables are not used: the admin asks ``has_perm``, and the answer
    comes from the same policy every view uses.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        email = kwargs.get("email", username)
        if email is None or password is None:
            return None
        return super().authenticate(request, username=email.strip().lower(), password=password)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active:
            return False
        return permissions.has_admin_permission(user_obj, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not user_obj.is_active:
            return False
        return permissions.has_admin_module_permission(user_obj, app_label)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

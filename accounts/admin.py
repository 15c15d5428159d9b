from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    email = forms.EmailField(label=_("e-mail address"))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["full_name"]
    list_display = ["email", "full_name", "staff_role", "is_active", "last_login"]
    list_filter = ["staff_role", "is_active", "is_superuser"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined", "is_demo"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone"]}),
        (_("Access"), {"fields": ["is_active", "staff_role", "is_superuser"]}),
        (_("History"), {"fields": ["last_login", "date_joined", "is_demo"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal: list[str] = []

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        obj._audit_request = request  # type: ignore[attr-defined]  # the role-change audit event names who and from where
        super().save_model(request, obj, form, change)


# Permissions come from core.permissions, not from Django's groups: hide them to avoid a second source of truth.
admin.site.unregister(Group)


# Second-factor devices are managed by their owners on the portal's own pages (accounts.views), where
# every change is audited; the admin would show TOTP secrets to every admin reader. Login locks are
# lifted on accounts:unlock (AXES_ENABLE_ADMIN is off).
def _unregister_device_admins() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential, WebAuthnUserHandle

    for model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation, WebAuthnUserHandle):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_device_admins()

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import (
    CoordinatorAssignment,
    County,
    Diginettverk,
    Municipality,
    Organisation,
    OrganisationRole,
)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "organisation"]
    search_fields = ["name", "number"]
    raw_id_fields = ["organisation"]


@admin.register(Diginettverk)
class DiginettverkAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "county", "diginettverk"]
    list_filter = ["county", "diginettverk"]
    search_fields = ["name", "number"]
    raw_id_fields = ["organisation"]
    list_select_related = ["county", "diginettverk"]


class OrganisationRoleInline(admin.TabularInline):
    model = OrganisationRole
    fk_name = "organisation"
    extra = 0
    raw_id_fields = ["user", "granted_by"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_number", "form", "register_status", "source"]
    list_filter = ["form", "register_status", "source"]
    search_fields = ["name", "org_number"]
    readonly_fields = ["synced_at", "created_at", "updated_at"]
    raw_id_fields = ["parent", "address_municipality"]
    inlines = [OrganisationRoleInline]
    fieldsets = [
        (None, {"fields": ["org_number", "name", "form", "register_status", "parent"]}),
        (
            _("Address and contact"),
            {"fields": ["address_municipality", "business_address", "postal_code", "postal_place", "email", "phone"]},
        ),
        (
            pgettext_lazy("noun: data from the official register", "Register"),
            {"fields": ["industry_codes", "source", "synced_at", "created_at", "updated_at"]},
        ),
    ]


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "diginettverk"]
    list_filter = ["diginettverk"]
    raw_id_fields = ["user"]

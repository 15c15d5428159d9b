"""The customer centre in the admin: requests are read-only (they change through the portal's services,
which notify the member); the opening hours are edited on the portal's own page."""

from django.contrib import admin
from django.utils.translation import pgettext_lazy

from core.admin import ReadOnlyAdmin
from support.models import AttendanceRequest, OpeningHours, SupportMessage, SupportRequest


@admin.register(OpeningHours)
class OpeningHoursAdmin(ReadOnlyAdmin):
    list_display = ["phone", "email", "opens", "closes", "weekdays", "closed_on_public_holidays"]


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "organisation", "category", "status", "assigned_to", "updated_at"]
    list_filter = ["status", "category"]
    search_fields = ["subject", "organisation__name"]
    list_select_related = ["organisation", "assigned_to"]

    @admin.display(description=pgettext_lazy("reference number", "No."), ordering="pk")
    def number(self, obj: SupportRequest) -> int:
        return obj.pk


@admin.register(SupportMessage)
class SupportMessageAdmin(ReadOnlyAdmin):
    list_display = ["request", "author", "from_staff", "created_at"]
    list_select_related = ["request", "author"]


@admin.register(AttendanceRequest)
class AttendanceRequestAdmin(ReadOnlyAdmin):
    list_display = ["topic", "organisation", "kind", "starts_at", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["organisation"]

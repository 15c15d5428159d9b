"""Events in the admin, read-only: they change through the portal's pages, whose services keep the cap
and the waiting list right."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from events.models import Event, Registration


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title"]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["event", "user", "status", "queued_at"]
    list_filter = ["status"]
    list_select_related = ["event", "user"]

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from orders.models import Order, OrderEvent


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_state", "to_state", "actor", "at", "comment", "assignee"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders move only through the portal's queue (orders.services), never by editing rows."""

    list_display = ["__str__", "state", "submitted_at", "assignee"]
    list_filter = ["state", "service"]
    search_fields = ["organisation__name", "organisation__org_number"]
    inlines = [OrderEventInline]

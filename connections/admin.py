"""Connection types are configured in the admin; everything else is read-only there, because changes go
through connections.services, which keeps each connection's history."""

from typing import Any

from django.contrib import admin
from django.utils.text import capfirst

from connections.models import (
    Assessment,
    CloudDecision,
    Connection,
    ConnectionChange,
    ConnectionType,
    Outage,
    TerminationRequest,
)
from core.admin import ReadOnlyAdmin


@admin.register(ConnectionType)
class ConnectionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["name", "code"]

    def get_changelist_form(self, request: Any, **kwargs: Any) -> Any:
        """The list's editable cells get a label each ("In use – Direct"): a column header is no label."""
        base = super().get_changelist_form(request, **kwargs)

        class Labelled(base):  # type: ignore[misc,valid-type]  # the form class Django builds for the list
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.widget.attrs["aria-label"] = f"{capfirst(str(field.label))} – {self.instance}"

        return Labelled

    # Deleting a type in use is refused (PROTECT; the admin lists the connections): retire it with "in use".


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "site_address", "connection_type", "bandwidth_mbps", "status"]
    list_filter = ["status", "connection_type", "redundancy"]
    search_fields = ["organisation__name", "organisation__org_number", "site_address"]
    list_select_related = ["organisation", "connection_type"]


@admin.register(ConnectionChange)
class ConnectionChangeAdmin(ReadOnlyAdmin):
    list_display = ["connection", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["connection__organisation", "actor"]


@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin):
    list_display = ["connection", "start", "end", "planned", "cause"]
    list_filter = ["planned"]
    list_select_related = ["connection__organisation"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "created_at", "recommended_type", "recommended_bandwidth_mbps"]
    list_select_related = ["organisation", "recommended_type"]


@admin.register(CloudDecision)
class CloudDecisionAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "vendor", "created_at"]
    list_select_related = ["organisation"]


@admin.register(TerminationRequest)
class TerminationRequestAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "connection", "requested_at", "wanted_end", "status"]
    list_filter = ["status"]
    list_select_related = ["organisation", "connection"]

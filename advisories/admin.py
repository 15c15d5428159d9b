"""Read-only views in the admin: advisories change only through the portal's services (review by a
second analyst, revisions, the audit trail)."""

from django.contrib import admin

from advisories.models import Acknowledgement, Advisory, AdvisoryRevision, SecurityContactDetails, ThreatPicture
from core.admin import ReadOnlyAdmin


@admin.register(Advisory)
class AdvisoryAdmin(ReadOnlyAdmin):
    list_display = ["tracking_id", "title", "tlp", "severity", "status", "revision", "published_at"]
    list_filter = ["status", "tlp", "severity", "source"]
    search_fields = ["tracking_id", "title"]
    exclude = ["csaf_document"]


@admin.register(AdvisoryRevision)
class AdvisoryRevisionAdmin(ReadOnlyAdmin):
    list_display = ["advisory", "number", "published_at"]
    list_select_related = ["advisory"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["advisory", "organisation", "status", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["advisory", "organisation"]


@admin.register(SecurityContactDetails)
class SecurityContactDetailsAdmin(ReadOnlyAdmin):
    list_display = ["role", "phone", "available_24_7"]
    list_select_related = ["role__user", "role__organisation"]


@admin.register(ThreatPicture)
class ThreatPictureAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "created_at"]

"""Read-only views in the admin: advisories change only through the portal's services (review by a
second analyst, revisions, the audit trail).

The admin is open to NHN staff who are not CERT analysts, so every advisory row (and the revisions and
acknowledgements that carry an advisory's content or name) is read through ``Advisory.objects.visible_to``:
the admin is one more channel under the one TLP rule."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from advisories.models import Acknowledgement, Advisory, AdvisoryRevision, SecurityContactDetails, ThreatPicture
from core.admin import ReadOnlyAdmin


class _VisibleAdvisoriesAdmin(ReadOnlyAdmin):
    """Rows whose advisory the user may see under the TLP rule; anything else answers 404 ("does not exist")."""

    advisory_lookup = "advisory__in"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = Advisory.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(**{self.advisory_lookup: visible})


@admin.register(Advisory)
class AdvisoryAdmin(_VisibleAdvisoriesAdmin):
    advisory_lookup = "pk__in"
    list_display = ["tracking_id", "title", "tlp", "severity", "status", "revision", "published_at"]
    list_filter = ["status", "tlp", "severity", "source"]
    search_fields = ["tracking_id", "title"]
    exclude = ["csaf_document"]


@admin.register(AdvisoryRevision)
class AdvisoryRevisionAdmin(_VisibleAdvisoriesAdmin):
    list_display = ["advisory", "number", "published_at"]
    list_select_related = ["advisory"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(_VisibleAdvisoriesAdmin):
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

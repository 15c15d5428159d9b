"""The sync's records in the admin, read-only: rules change in the portal (audited), the rest only
through the import, the feed and the services."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from enhetsregisteret.models import FeedCursor, FollowUp, ImportCheckpoint, MembershipRule, Merger, RegisterEntry


@admin.register(MembershipRule)
class MembershipRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "forms", "industry_prefixes", "active"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "must_be_member", "deleted_on", "removed", "bankrupt", "under_liquidation"]
    list_filter = ["must_be_member", "removed", "bankrupt", "under_liquidation"]
    search_fields = ["organisation__name", "organisation__org_number"]
    list_select_related = ["organisation"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "reason", "detected_at", "resolved_at"]
    list_filter = ["reason"]
    list_select_related = ["organisation"]


@admin.register(ImportCheckpoint)
class ImportCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "units_done", "batches_done", "started_at", "finished_at"]


@admin.register(FeedCursor)
class FeedCursorAdmin(ReadOnlyAdmin):
    list_display = ["feed", "last_update_id", "updated_at"]


@admin.register(Merger)
class MergerAdmin(ReadOnlyAdmin):
    list_display = ["old_organisation", "new_organisation", "kind", "effective_date", "recorded_at"]
    list_select_related = ["old_organisation", "new_organisation"]

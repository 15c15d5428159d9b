"""Read-only views of memberships in the admin: every change goes through the portal's services,
which check authority and write the audit trail."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from memberships.models import Membership, MembershipTransition, Signature, TermsVersion


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    list_display = ["label", "status", "published_at", "sign_by"]
    list_filter = ["status"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "state", "signed_version", "updated_at"]
    list_filter = ["state", "signed_version"]
    search_fields = ["organisation__name", "organisation__org_number"]
    list_select_related = ["organisation", "signed_version"]


@admin.register(MembershipTransition)
class MembershipTransitionAdmin(ReadOnlyAdmin):
    list_display = ["membership", "from_state", "to_state", "at"]
    list_filter = ["to_state"]
    list_select_related = ["membership__organisation"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "terms_version", "signer_name", "signed_at"]
    list_filter = ["terms_version"]
    search_fields = ["organisation__name", "organisation__org_number", "signer_name"]
    exclude = ["signed_pdf"]
    list_select_related = ["organisation", "terms_version"]

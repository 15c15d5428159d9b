from django.contrib import admin

from core.admin import ReadOnlyAdmin
from suggestions.models import Suggestion, SuggestionSupport


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "status", "created_at"]
    list_filter = ["category", "status"]
    search_fields = ["title"]


@admin.register(SuggestionSupport)
class SuggestionSupportAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "user", "created_at"]
    list_select_related = ["suggestion", "user"]

"""One FilterSet for the list of topic suggestions: category and status."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suggestions.choices import SuggestionCategory, SuggestionStatus
from suggestions.models import Suggestion


class SuggestionFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=SuggestionCategory.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SuggestionStatus.choices, empty_label=_("All"))

    class Meta:
        model = Suggestion
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
        """A bad filter shows every suggestion (and the form its error), as an empty one does."""
        if not self.form.is_valid():
            return queryset
        filtered: QuerySet[Suggestion] = super().filter_queryset(queryset)
        return filtered

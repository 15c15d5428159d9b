"""One FilterSet for advisories, shared by the pages (search and severity) and the member-service API
(``integrations``: TLP and changed since). Each caller offers only its own parameters."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from advisories.choices import TLP, Severity
from advisories.models import Advisory, AdvisoryQuerySet


class AdvisoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=_("All"))
    tlp = django_filters.ChoiceFilter(label=_("TLP"), choices=TLP.choices)
    changed_since = django_filters.IsoDateTimeFilter(
        label=_("Changed since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Advisory
        fields: list[str] = []

    def filter_search(self, queryset: AdvisoryQuerySet, name: str, value: str) -> QuerySet[Advisory]:
        return queryset.search(value)

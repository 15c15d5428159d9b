"""One FilterSet for the connection list: status, type, county, Diginettverk, flag and owner."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from connections.choices import ConnectionStatus
from connections.models import Connection, ConnectionType
from organisations.models import County, Diginettverk


class ConnectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Owner or site"), method="filter_search", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ConnectionStatus.choices, empty_label=_("Any status")
    )
    connection_type = django_filters.ModelChoiceFilter(
        label=_("Type"), queryset=ConnectionType.objects.all(), empty_label=_("All types")
    )
    county = django_filters.ModelChoiceFilter(
        label=_("County"),
        queryset=County.objects.all(),
        field_name="site_municipality__county",
        empty_label=_("All counties"),
    )
    diginettverk = django_filters.ModelChoiceFilter(
        label=_("Diginettverk"),
        queryset=Diginettverk.objects.all(),
        field_name="site_municipality__diginettverk",
        empty_label=_("All networks"),
    )
    flagged = django_filters.BooleanFilter(
        label=_("Only flagged"),
        method="filter_flagged",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Connection
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Connection], name: str, value: str) -> QuerySet[Connection]:
        folded = value.strip().casefold()
        if not folded:
            return queryset
        return queryset.filter(organisation__search_name__contains=folded) | queryset.filter(
            site_address__icontains=value.strip()
        )

    def filter_flagged(self, queryset: QuerySet[Connection], name: str, value: Any) -> QuerySet[Connection]:
        return queryset.filter(membership_flag=True) if value else queryset

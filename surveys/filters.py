"""One FilterSet for a survey's responses (the results page and its exports): the answering
organisation's county, Diginettverk (a municipality's own, or the address municipality's for others)
and organisation form."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organisations.choices import OrganisationForm
from organisations.models import County, Diginettverk
from surveys.models import Response


class ResponseFilter(django_filters.FilterSet):
    county = django_filters.ModelChoiceFilter(
        label=_("County"), queryset=County.objects.order_by("name"), method="filter_county", empty_label=_("All")
    )
    diginettverk = django_filters.ModelChoiceFilter(
        label=_("Diginettverk"),
        queryset=Diginettverk.objects.order_by("name"),
        method="filter_diginettverk",
        empty_label=_("All"),
    )
    form = django_filters.ChoiceFilter(
        label=_("Organisation form"),
        field_name="organisation__form",
        choices=OrganisationForm.choices,
        empty_label=_("All"),
    )

    class Meta:
        model = Response
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Response]) -> QuerySet[Response]:
        """A bad filter counts every response (and the form shows its error), as an empty one does."""
        if not self.form.is_valid():
            return queryset
        filtered: QuerySet[Response] = super().filter_queryset(queryset)
        return filtered

    def filter_county(self, queryset: QuerySet[Response], name: str, value: County) -> QuerySet[Response]:
        return queryset.filter(
            Q(organisation__municipality__county=value) | Q(organisation__address_municipality__county=value)
        )

    def filter_diginettverk(self, queryset: QuerySet[Response], name: str, value: Diginettverk) -> QuerySet[Response]:
        return queryset.filter(
            Q(organisation__municipality__diginettverk=value)
            | Q(organisation__address_municipality__diginettverk=value)
        )

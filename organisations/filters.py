"""The organisation list's FilterSet (search, county, Diginettverk, form, sort order), and the access log's."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.access import DENIED, VIEWED, DataKind
from core.models import AuditEvent
from organisations.choices import OrganisationForm, RegisterStatus
from organisations.models import County, Diginettverk, Organisation

# django-filter labels the reversed orders with its own "%s (descending)" and ships no Norwegian for it;
# the portal's catalogue carries it (gettext looks there for django-filter's strings too).
DESCENDING_LABEL = gettext_noop("%s (descending)")


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or organisation number"), method="filter_search", max_length=100)
    county = django_filters.ModelChoiceFilter(
        label=_("County"), queryset=County.objects.all(), method="filter_county", empty_label=_("All counties")
    )
    diginettverk = django_filters.ModelChoiceFilter(
        label=_("Diginettverk"),
        queryset=Diginettverk.objects.all(),
        field_name="municipality__diginettverk",
        empty_label=_("All networks"),
    )
    form = django_filters.ChoiceFilter(
        label=_("Organisation form"), choices=OrganisationForm.choices, empty_label=_("All forms")
    )
    register_status = django_filters.ChoiceFilter(
        label=_("Register status"), choices=RegisterStatus.choices, empty_label=_("Any status")
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("search_name", "name"), ("org_number", "org_number"), ("form", "form")),
        field_labels={"search_name": _("Name"), "org_number": _("Organisation number"), "form": _("Form")},
        empty_label=None,
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.search(value)  # type: ignore[attr-defined]  # OrganisationQuerySet.search

    def filter_county(self, queryset: QuerySet[Organisation], name: str, value: Any) -> QuerySet[Organisation]:
        return queryset.filter(Q(address_municipality__county=value) | Q(county_authority_of=value)).distinct()


class AccessLogFilter(django_filters.FilterSet):
    """An organisation's access log (core.access): what kind of data, opened or refused."""

    kind = django_filters.ChoiceFilter(
        label=_("What"), choices=DataKind.choices, method="filter_kind", empty_label=_("All kinds")
    )
    action = django_filters.ChoiceFilter(
        label=_("Outcome"),
        choices=((VIEWED, _("Opened")), (DENIED, _("Refused"))),
        empty_label=_("Opened or refused"),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return queryset.filter(action=VIEWED, after__kind=value)

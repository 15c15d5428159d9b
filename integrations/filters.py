"""FilterSets the API shares with the pages (django-filter), NetBox's one-FilterSet-per-list idea.

``MemberFilter`` extends the organisation list's ``OrganisationFilter`` (form and Diginettverk come from
it) with what systems ask: changed since, membership state, a service held, and the county by its number.
``AuthorisationFilter`` and ``OrderFilter`` are the first FilterSets of their models; a page listing them
should use them too. Advisories are filtered by ``advisories.filters.AdvisoryFilter``, which the
advisory list uses as well.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementState
from agreements.models import ServiceAgreement
from memberships.choices import MembershipState
from orders.choices import OrderState
from orders.models import Order
from organisations.filters import OrganisationFilter
from organisations.models import Organisation


class MemberFilter(OrganisationFilter):
    county = django_filters.CharFilter(label=_("County number"), method="filter_county_number", max_length=2)
    diginettverk = django_filters.NumberFilter(label=_("Diginettverk"), field_name="municipality__diginettverk_id")
    changed_since = django_filters.IsoDateTimeFilter(label=_("Changed since"), method="filter_changed_since")
    status = django_filters.ChoiceFilter(
        label=_("Membership state"), choices=MembershipState.choices, method="filter_status"
    )
    service = django_filters.CharFilter(label=_("Holds the service"), method="filter_service", max_length=60)

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_county_number(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.filter(
            Q(address_municipality__county__number=value)
            | Q(municipality__county__number=value)
            | Q(county_authority_of__number=value)
        ).distinct()

    def filter_changed_since(self, queryset: QuerySet[Organisation], name: str, value: Any) -> QuerySet[Organisation]:
        return queryset.filter(Q(updated_at__gte=value) | Q(membership__updated_at__gte=value))

    def filter_status(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        if value == MembershipState.NOT_MEMBER:
            return queryset.filter(Q(membership__isnull=True) | Q(membership__state=value))
        return queryset.filter(membership__state=value)

    def filter_service(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        holders = ServiceAgreement.objects.live().filter(service__slug=value).values("organisation_id")
        return queryset.filter(pk__in=holders)


class AuthorisationFilter(django_filters.FilterSet):
    service = django_filters.CharFilter(label=_("Service"), field_name="service__slug", max_length=60)
    status = django_filters.ChoiceFilter(label=_("State"), field_name="state", choices=AgreementState.choices)
    changed_since = django_filters.IsoDateTimeFilter(
        label=_("Changed since"), field_name="updated_at", lookup_expr="gte"
    )
    county = django_filters.CharFilter(label=_("County number"), method="filter_county_number", max_length=2)
    form = django_filters.CharFilter(label=_("Organisation form"), field_name="organisation__form", max_length=8)

    class Meta:
        model = ServiceAgreement
        fields: list[str] = []

    def filter_county_number(
        self, queryset: QuerySet[ServiceAgreement], name: str, value: str
    ) -> QuerySet[ServiceAgreement]:
        return queryset.filter(
            Q(organisation__address_municipality__county__number=value)
            | Q(organisation__municipality__county__number=value)
        )


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("State"), field_name="state", choices=OrderState.choices)
    service = django_filters.CharFilter(label=_("Service"), field_name="service__slug", max_length=60)
    changed_since = django_filters.IsoDateTimeFilter(
        label=_("Changed since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Order
        fields: list[str] = []

"""One FilterSet for the customer centre's order queue: state (open by default), service, county, age
and assignee."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Service
from orders.choices import OrderState
from orders.models import Order, OrderQuerySet
from organisations.models import County


class _IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class OrderQueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("all", _("All")), *OrderState.choices],
        empty_label=_("All open"),
        method="filter_state_later",
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=Service.objects.order_by("sort_order", "name"), empty_label=_("All")
    )
    county = django_filters.ModelChoiceFilter(
        label=_("County"),
        queryset=County.objects.order_by("number"),
        field_name="organisation__address_municipality__county",
        empty_label=_("All"),
        to_field_name="number",  # the county number, as the status dashboard links to it
    )
    older_than = _IntegerFilter(label=_("Older than (days)"), method="filter_older_than", min_value=0, max_value=3650)
    assignee = django_filters.ChoiceFilter(
        label=_("Assigned to"),
        choices=[("me", _("Me")), ("nobody", _("Nobody"))],
        empty_label=_("Anyone"),
        method="filter_assignee",
    )

    class Meta:
        model = Order
        fields: list[str] = []

    def filter_queryset(self, queryset: OrderQuerySet) -> QuerySet[Order]:
        """A bad filter shows the open orders (and the form its error), as an empty one does."""
        if not self.form.is_valid():
            return queryset.open()
        filtered: OrderQuerySet = super().filter_queryset(queryset)
        state = self.form.cleaned_data.get("state")
        if not state:
            return filtered.open()
        return filtered if state == "all" else filtered.filter(state=state)

    def filter_state_later(self, queryset: QuerySet[Order], name: str, value: Any) -> QuerySet[Order]:
        return queryset  # filter_queryset applies the state, whose empty value means "open"

    def filter_older_than(self, queryset: QuerySet[Order], name: str, value: int) -> QuerySet[Order]:
        return queryset.filter(submitted_at__lt=timezone.now() - dt.timedelta(days=value))

    def filter_assignee(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        return queryset.filter(assignee__isnull=True)

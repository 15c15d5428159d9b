"""One FilterSet for the customer centre's queue of support requests: status (unfinished by default),
category, assignee and a search over subject, organisation and request number."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from support.choices import ACTIVE_STATUSES, RequestCategory, RequestStatus
from support.models import SupportRequest

Requests = QuerySet[SupportRequest]


class SupportQueueFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("all", _("All")), *RequestStatus.choices],
        empty_label=_("Not finished"),
        method="filter_status_later",
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=RequestCategory.choices, empty_label=_("All"))
    assigned = django_filters.ChoiceFilter(
        label=_("Assigned"),
        choices=[("me", _("Me")), ("none", _("Nobody"))],
        empty_label=_("Anyone"),
        method="filter_assigned",
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = SupportRequest
        fields: list[str] = []

    def filter_queryset(self, queryset: Requests) -> Requests:
        """A bad filter shows the unfinished requests (and the form its error), as an empty one does."""
        if not self.form.is_valid():
            return queryset.filter(status__in=ACTIVE_STATUSES)
        filtered: Requests = super().filter_queryset(queryset)
        status = self.form.cleaned_data.get("status")
        if not status:
            return filtered.filter(status__in=ACTIVE_STATUSES)
        return filtered if status == "all" else filtered.filter(status=status)

    def filter_status_later(self, queryset: Requests, name: str, value: str) -> Requests:
        return queryset  # filter_queryset applies the status, whose empty value means "not finished"

    def filter_assigned(self, queryset: Requests, name: str, value: str) -> Requests:
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        return queryset.filter(assigned_to__isnull=True)

    def filter_search(self, queryset: Requests, name: str, value: str) -> Requests:
        text = value.strip()
        if not text:
            return queryset
        condition = Q(subject__icontains=text) | Q(organisation__search_name__contains=text.casefold())
        if text.lstrip("#").isdigit():
            condition |= Q(pk=int(text.lstrip("#")))
        return queryset.filter(condition)

"""One FilterSet for the list of incident reports: status."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from incidents.choices import IncidentStatus
from incidents.models import Incident


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices, empty_label=_("All"))

    class Meta:
        model = Incident
        fields: list[str] = []

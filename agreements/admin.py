from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from agreements import graph
from agreements.models import OrganisationSize, Service, ServiceAgreement, ServiceSigning, ServiceTermsVersion
from core.admin import ReadOnlyAdmin


class ServiceAdminForm(forms.ModelForm):
    class Meta:
        model = Service
        exclude: list[str] = []  # every field of the service; staff configure the whole catalogue

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        prerequisites = data.get("prerequisites")
        if prerequisites is not None:
            proposed = dict(graph.prerequisite_map())
            node = self.instance.pk or -1
            proposed[node] = frozenset(p.pk for p in prerequisites)
            try:
                graph.check_acyclic(proposed)
            except ValidationError as exc:
                self.add_error("prerequisites", exc)
        return data


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ["name", "category", "lifecycle", "price_basis", "sort_order"]
    list_filter = ["category", "lifecycle", "price_basis"]
    search_fields = ["name", "slug"]
    # A plain multiple select: the admin's two-box filter widget gives its search icon an ARIA label
    # that a <span> may not have (axe aria-prohibited-attr).
    prepopulated_fields = {"slug": ["name"]}


@admin.register(OrganisationSize)
class OrganisationSizeAdmin(admin.ModelAdmin):
    list_display = ["organisation", "inhabitants", "employees", "source"]
    search_fields = ["organisation__name", "organisation__org_number"]
    raw_id_fields = ["organisation"]


@admin.register(ServiceTermsVersion)
class ServiceTermsVersionAdmin(ReadOnlyAdmin):
    list_display = ["service", "label", "status", "published_at"]
    list_filter = ["status", "service"]


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "service", "state", "terms_version", "started_on"]
    list_filter = ["state", "service"]
    search_fields = ["organisation__name", "organisation__org_number"]


@admin.register(ServiceSigning)
class ServiceSigningAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "signer_name", "signed_at"]
    exclude = ["signed_pdf"]
    search_fields = ["organisation__name"]

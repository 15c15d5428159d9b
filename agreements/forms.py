from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.choices import Category, Lifecycle
from agreements.models import ServiceTermsVersion
from core.forms import PortalForm, PortalModelForm
from memberships.forms import SignForm
from organisations.choices import OrganisationForm

__all__ = ["CatalogueFilter", "OrderStepForm", "ResignStepForm", "SignForm", "TerminateForm", "TermsForm"]


class CatalogueFilter(PortalForm):
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All")), *Category.choices])
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), required=False, choices=[("", _("All")), *Lifecycle.choices])


class ResignStepForm(PortalForm):
    keep = forms.TypedMultipleChoiceField(
        label=_("Services to keep"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, agreements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(a.pk, a.service.name) for a in agreements]


class OrderStepForm(PortalForm):
    services = forms.TypedMultipleChoiceField(
        label=_("Services to order"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, orderable: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = [(s.pk, s.name) for s in orderable]


class TerminateForm(PortalForm):
    reason = forms.CharField(label=_("Why do you end the agreement?"), max_length=300)
    include_dependents = forms.BooleanField(
        label=_("I understand that the services that need it end too"), required=False
    )


SPECIAL_FORMS = [OrganisationForm.KOMM, OrganisationForm.ENK, OrganisationForm.AS, OrganisationForm.HF]


class TermsForm(PortalModelForm):
    """A new version of a service's terms: the general terms and the special terms per user group."""

    confirm = forms.BooleanField(
        label=_("Publish now: members with an agreement on older terms must re-sign"),
        error_messages={"required": _("Confirm that the terms are to be published.")},
    )

    class Meta:
        model = ServiceTermsVersion
        fields = ["label", "general_terms"]
        widgets = {"general_terms": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for form in SPECIAL_FORMS:
            self.fields[f"special_{form}"] = forms.CharField(
                label=_("Special terms for: %(group)s") % {"group": OrganisationForm(form).label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=20000,
            )

    def special_fields(self) -> list[Any]:
        return [self[f"special_{form}"] for form in SPECIAL_FORMS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        label = data.get("label")
        service_id = self.instance.service_id
        if label and service_id and ServiceTermsVersion.objects.filter(service_id=service_id, label=label).exists():
            self.add_error("label", _("This service already has terms with that label."))
        self.instance.special_terms = {
            form: data[f"special_{form}"].strip() for form in SPECIAL_FORMS if data.get(f"special_{form}", "").strip()
        }
        return data

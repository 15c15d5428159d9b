from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import CharField, CheckboxSelectMultiple, MultipleChoiceField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm
from enhetsregisteret.choices import MergerKind
from enhetsregisteret.models import MembershipRule, validate_industry_prefix
from organisations.choices import OrganisationForm
from organisations.fields import OrgNumberFormField
from organisations.models import Organisation


class RuleForm(PortalModelForm):
    forms = MultipleChoiceField(
        label=_("Organisation forms"), choices=OrganisationForm.choices, widget=CheckboxSelectMultiple
    )
    industry_prefixes = CharField(
        label=_("Industry code prefixes"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, for example 86, 87.101. Leave empty for every industry."),
    )

    class Meta:
        model = MembershipRule
        fields = ["name", "forms", "industry_prefixes", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["industry_prefixes"] = ", ".join(self.instance.industry_prefixes)

    def clean_industry_prefixes(self) -> list[str]:
        raw = self.cleaned_data.get("industry_prefixes") or ""
        prefixes = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                validate_industry_prefix(part)
            except ValidationError:
                raise ValidationError(
                    _("“%(value)s” is not an industry code prefix. Write for example 86 or 86.211.") % {"value": part}
                ) from None
            if part not in prefixes:
                prefixes.append(part)
        return prefixes


class InviteForm(PortalForm):
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisations to invite"),
        error_messages={"required": _("Choose at least one organisation to invite.")},
    )

    def __init__(self, *args: Any, queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if queryset is not None:
            self.fields["organisations"].queryset = queryset


class MergerForm(PortalForm):
    old_org_number = OrgNumberFormField(label=_("Organisation number of the old organisation"))
    new_org_number = OrgNumberFormField(label=_("Organisation number of the new organisation"))
    kind = forms.ChoiceField(label=_("Kind of change"), choices=MergerKind.choices)
    effective_date = forms.DateField(label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def _organisation(self, field: str) -> Organisation | None:
        number = self.cleaned_data.get(field)
        if not number:
            return None
        organisation = Organisation.objects.filter(org_number=number).first()
        if organisation is None:
            self.add_error(field, _("No organisation with this number is known. Import or sync the register first."))
        return organisation

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["old"] = self._organisation("old_org_number")
        data["new"] = self._organisation("new_org_number")
        if data.get("old_org_number") and data.get("old_org_number") == data.get("new_org_number"):
            self.add_error("new_org_number", _("The old and the new organisation must be different."))
        date = data.get("effective_date")
        if date and abs((date - timezone.localdate()).days) > 3 * 366:
            self.add_error("effective_date", _("Choose a date within three years from today."))
        return data


class ClaimForm(PortalForm):
    """ "I sign for this organisation": the organisation number, as people type it."""

    org_number = OrgNumberFormField(label=_("Organisation number"))

    def clean_org_number(self) -> Organisation:
        number = self.cleaned_data["org_number"]
        organisation = Organisation.objects.filter(org_number=number).exclude(org_number="").first()
        if organisation is None:
            raise ValidationError(
                _("No organisation with this number is in the member register. Contact the customer centre."),
                code="unknown",
            )
        return organisation

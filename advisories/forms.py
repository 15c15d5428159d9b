from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from advisories import cvss
from advisories.choices import AckStatus
from advisories.csaf import MAX_DOCUMENT_BYTES
from advisories.models import Advisory
from core.forms import PortalForm, PortalModelForm
from organisations.choices import OrganisationForm
from organisations.models import County, Diginettverk, Organisation

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def _datetime_field(label: Any, help_text: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class AdvisoryForm(PortalModelForm):
    """The analyst's advisory form. Named organisations and people are typed as organisation numbers
    and e-mail addresses, one per line, so the page never lists every member or person."""

    audience_forms = forms.MultipleChoiceField(
        label=_("Organisation forms"),
        choices=OrganisationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_counties = forms.ModelMultipleChoiceField(
        label=_("Counties"), queryset=County.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_networks = forms.ModelMultipleChoiceField(
        label=_("Diginettverk"),
        queryset=Diginettverk.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation_numbers = forms.CharField(
        label=_("Named organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Organisation numbers, one per line."),
    )
    people_emails = forms.CharField(
        label=_("Named people"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E-mail addresses of registered people, one per line. TLP:RED reaches only these."),
    )
    publish_at = _datetime_field(_("Publish at"), _("Empty: as soon as it is approved."))
    expires_at = _datetime_field(_("Expires"), _("Empty: does not expire."))

    class Meta:
        model = Advisory
        fields = [
            "title",
            "summary",
            "body",
            "severity",
            "cvss_vector",
            "affected_products",
            "affected_services",
            "recommended_actions",
            "references",
            "tlp",
            "audience_all",
            "audience_counties",
            "audience_networks",
            "publish_at",
            "expires_at",
            "change_note",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 10}),
            "affected_products": forms.Textarea(attrs={"rows": 3}),
            "affected_services": forms.Textarea(attrs={"rows": 3}),
            "recommended_actions": forms.Textarea(attrs={"rows": 5}),
            "references": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tlp"].required = True
        self.fields["tlp"].choices = [("", _("Choose a TLP label"))] + [c for c in self.fields["tlp"].choices if c[0]]
        if self.instance.pk:
            self.initial["audience_forms"] = self.instance.form_codes
            self.initial["organisation_numbers"] = "\n".join(
                self.instance.audience_organisations.values_list("org_number", flat=True)
            )
            self.initial["people_emails"] = "\n".join(self.instance.audience_people.values_list("email", flat=True))
        if not self.instance.corrects_id:
            del self.fields["change_note"]
        else:
            self.fields["change_note"].required = True

    def clean_cvss_vector(self) -> str:
        vector = self.cleaned_data.get("cvss_vector", "").strip()
        if vector:
            cvss.parse(vector)
        return vector

    def clean_references(self) -> str:
        lines = Advisory.lines(self.cleaned_data.get("references", ""))
        for line in lines:
            if not line.startswith("https://") or " " in line or len(line) > 500:
                raise forms.ValidationError(_("%(line)s is not an https:// address.") % {"line": line[:80]})
        return "\n".join(lines)

    def clean_organisation_numbers(self) -> list[Organisation]:
        numbers = ["".join(line.split()) for line in Advisory.lines(self.cleaned_data.get("organisation_numbers", ""))]
        found = {o.org_number: o for o in Organisation.objects.filter(org_number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No organisation has the number %(numbers)s.") % {"numbers": ", ".join(unknown[:5])}
            )
        return list(found.values())

    def clean_people_emails(self) -> list[Any]:
        emails = [line.lower() for line in Advisory.lines(self.cleaned_data.get("people_emails", ""))]
        found = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=emails, is_active=True)}
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise forms.ValidationError(
                _("No active person is registered with %(emails)s.") % {"emails": ", ".join(unknown[:5])}
            )
        return list(found.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("publish_at") and data.get("expires_at") and data["expires_at"] <= data["publish_at"]:
            self.add_error("expires_at", _("The expiry must be after the publish time."))
        return data

    def save(self, commit: bool = True) -> Advisory:
        advisory = super().save(commit=False)
        codes = self.cleaned_data.get("audience_forms") or []
        advisory.audience_forms = f",{','.join(sorted(codes))}," if codes else ""
        if commit:
            advisory.save()
            self.save_m2m()
        return advisory

    def _save_m2m(self) -> None:
        super()._save_m2m()
        self.instance.audience_organisations.set(self.cleaned_data.get("organisation_numbers") or [])
        self.instance.audience_people.set(self.cleaned_data.get("people_emails") or [])


class ReturnForm(PortalForm):
    reason = forms.CharField(label=_("What must change"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AcknowledgeForm(PortalForm):
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none())
    status = forms.ChoiceField(label=_("Answer"), choices=AckStatus.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk


class CsafUploadForm(PortalForm):
    document = forms.FileField(
        label=_("CSAF 2.0 document"),
        help_text=_("A JSON file of at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload.read(MAX_DOCUMENT_BYTES + 1)


class ContactDetailsForm(PortalForm):
    phone = forms.CharField(label=_("Phone"), max_length=30, help_text=_("For example +47 22 33 44 55."))
    available_24_7 = forms.BooleanField(label=_("Reachable 24/7"), required=False)


class ThreatPictureForm(PortalForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}), help_text=_("Markdown."))
    change_note = forms.CharField(label=_("What changed"), max_length=500, required=False)

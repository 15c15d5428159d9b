from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import RegisteredPersonForm
from core.forms import PortalForm, PortalModelForm
from memberships.choices import TerminationReason
from memberships.models import TermsVersion
from organisations.choices import OrganisationForm

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class TermsForm(PortalModelForm):
    required_forms = forms.MultipleChoiceField(
        label=_("Organisation forms that must sign"),
        choices=OrganisationForm.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TermsVersion
        fields = [
            "label",
            "effective_date",
            "sign_by",
            "required_forms",
            "membership_terms",
            "data_processing",
            "customer_agreement",
        ]
        widgets = {
            "effective_date": forms.DateInput(attrs={"type": "date"}),
            "sign_by": forms.DateInput(attrs={"type": "date"}),
            "membership_terms": forms.Textarea(attrs={"rows": 12}),
            "data_processing": forms.Textarea(attrs={"rows": 12}),
            "customer_agreement": forms.Textarea(attrs={"rows": 12}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("sign_by") and data.get("effective_date") and data["sign_by"] > data["effective_date"]:
            self.add_error("sign_by", _("The deadline must be on or before the effective date."))
        return data


class SignForm(PortalForm):
    """Confirm and step up. ``provider`` (a display name) for a session from an OpenID Provider: no
    password field (such a person may have none); the view sends them to log in again there instead."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("We ask again to be sure it is you who signs."),
    )
    confirm = forms.BooleanField(
        label=_("I have read the agreement and sign it on behalf of the organisation"),
        error_messages={
            "required": _("Confirm that you have read the agreement and sign on behalf of the organisation.")
        },
    )

    def __init__(self, *args: Any, provider: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        if provider:
            del self.fields["password"]


class TermsSignForm(SignForm):
    """The signing form carries what the signatory was shown: the version and the SHA-256 of its text."""

    terms_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    terms_sha256 = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class DelegateForm(RegisteredPersonForm):
    until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    agreements = forms.MultipleChoiceField(
        label=_("What the person may sign"),
        choices=[
            ("membership", _("The membership terms")),
            ("services", _("Service agreements (re-signing and ordering; never ending one)")),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["membership"],
        help_text=_(
            "A delegation lets the person sign this and nothing else: they see none of the organisation's other pages."
        ),
    )
    confirm_outsider = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_agreements(self) -> list[str]:
        return self.cleaned_data.get("agreements") or ["membership"]  # nothing chosen: the membership terms


class VerifyForm(PortalForm):
    document = forms.FileField(
        label=_("Agreement PDF"),
        help_text=_("A PDF file of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not content.startswith(b"%PDF-"):
            raise forms.ValidationError(_("This is not a PDF file."))
        return content


class TerminateForm(PortalForm):
    reason = forms.ChoiceField(label=_("Why does the membership end?"), choices=TerminationReason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PublishForm(PortalForm):
    """Publishing is confirmed, and against the numbers shown: ``expected`` is how many organisations the
    page said would be invited; when it has changed since, the manager is shown the new number first."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm that the invitations are to go out now.")}
    )
    expected = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class RemindEveryoneForm(PortalForm):
    confirm = forms.BooleanField(
        label=_("Yes, send the reminder to everyone listed above now"),
        error_messages={"required": _("Tick the box to confirm that the reminders are to go out now.")},
    )
    expected = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

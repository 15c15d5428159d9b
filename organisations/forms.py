from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.roles import OrganisationRoleType, SignatoryBasis


class RoleGrantForm(forms.Form):
    """Give a registered person a role for the organisation."""

    email = forms.EmailField(label=_("The person's e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRoleType.choices)
    signatory_basis = forms.ChoiceField(
        label=_("Basis of signatory authority"),
        choices=[("", "—"), *SignatoryBasis.choices],
        required=False,
        help_text=_("Only for signatories."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Required for a delegated authority."),
    )

    def __init__(self, *args: Any, may_grant_signatory: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_grant_signatory:
            self.fields["role"].choices = [
                c for c in OrganisationRoleType.choices if c[0] != OrganisationRoleType.SIGNATORY
            ]
            del self.fields["signatory_basis"]
            del self.fields["valid_until"]

    def clean_email(self) -> Any:
        email = self.cleaned_data["email"].strip().lower()
        user = get_user_model().objects.filter(email=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this e-mail address. Ask the person to register first."))
        self.cleaned_data["user"] = user
        return email

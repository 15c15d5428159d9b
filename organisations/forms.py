from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import RegisteredPersonForm
from core.roles import OrganisationRoleType, SignatoryBasis


class RoleGrantForm(RegisteredPersonForm):
    """Give a registered person a role for the organisation."""

    unknown_person = _(
        "No active user has this e-mail address. Invite the person by e-mail instead (see the link below)."
    )

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
        help_text=_("Required for a delegated authority and for an override."),
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        max_length=300,
        help_text=_(
            "Only for an override by NHN staff: why the person may sign although Enhetsregisteret does not "
            "say so. It is audited and shown on the signature."
        ),
    )

    def __init__(self, *args: Any, may_grant_signatory: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_grant_signatory:
            self.fields["role"].choices = [
                c for c in OrganisationRoleType.choices if c[0] != OrganisationRoleType.SIGNATORY
            ]
            del self.fields["signatory_basis"]
            del self.fields["valid_until"]
            del self.fields["override_reason"]

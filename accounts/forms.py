from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The e-mail address or password is wrong. Both are case-sensitive except the e-mail address."
        ),
        "inactive": _("This account is deactivated. Contact the customer centre."),
    }

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]  # Django's AuthenticationForm signature, passed through
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        # The widget's own type (an attribute "type" would be written a second time: invalid HTML).
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class RegisteredPersonForm(PortalForm):
    """A form that names a registered, active person by e-mail; ``cleaned_data["user"]`` is that person.

    Someone not yet in the portal is invited instead (the invitations app): ``unknown_person`` says so.
    """

    email = forms.EmailField(label=_("The person's e-mail address"), max_length=254)
    unknown_person = _(
        "No active user has this e-mail address. Invite the person to the organisation by e-mail first "
        "(Invitations, on the organisation's page); they join by logging in with ID-porten."
    )

    def clean_email(self) -> Any:
        email = self.cleaned_data["email"].strip().lower()
        user = get_user_model().objects.filter(email=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(self.unknown_person)
        self.cleaned_data["user"] = user
        return email


class SecondFactorCodeForm(PortalForm):
    """A six-digit code from an authenticator app, or a recovery code."""

    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
    )


class TOTPConfirmForm(PortalForm):
    token = forms.CharField(
        label=_("The six-digit code the app shows now"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class UnlockForm(PortalForm):
    email = forms.EmailField(label=_("E-mail address of the locked account"), required=False, max_length=254)
    client_address = forms.GenericIPAddressField(label=_("Locked client address"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("client_address"):
            raise forms.ValidationError(_("Give the e-mail address or the client address to unlock."))
        return cleaned


class EmailAddressForm(PortalForm):
    """The person's own e-mail address (a confirmation link is sent to it before it is used)."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

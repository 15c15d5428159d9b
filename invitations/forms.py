from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from invitations.services import INVITABLE_ROLES


class InvitationForm(PortalForm):
    email = forms.EmailField(label=_("The person's e-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=INVITABLE_ROLES)

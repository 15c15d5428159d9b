from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.events import EventType
from core.forms import PortalForm

EVENT_LABELS = {
    EventType.MEMBERSHIP_SIGNED: _("Membership signed"),
    EventType.MEMBERSHIP_ENDED: _("Membership ended"),
    EventType.MEMBER_CHANGED: _("Membership changed"),
    EventType.AGREEMENT_CHANGED: _("Service agreement changed"),
    EventType.ORDER_CHANGED: _("Order changed"),
    EventType.ADVISORY_PUBLISHED: _("Security advisory published"),
}


class TokenForm(PortalForm):
    description = forms.CharField(
        label=_("What is the token for?"), max_length=200, help_text=_("For example the system that will use it.")
    )
    write_enabled = forms.BooleanField(
        label=_("May write (withdraw orders, comment, acknowledge advisories)"), required=False
    )
    expires_on = forms.DateField(
        label=_("Expires"),
        required=False,
        help_text=_("Optional. Format: YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class WebhookForm(PortalForm):
    url = forms.URLField(
        label=_("Address (URL)"), max_length=500, assume_scheme="https", help_text=_("Must start with https://.")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(t, EVENT_LABELS[t]) for t in EventType.ALL],
        widget=forms.CheckboxSelectMultiple,
    )

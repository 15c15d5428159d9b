from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm
from events.models import Event

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(PortalModelForm):
    class Meta:
        model = Event
        fields = [
            "title", "kind", "description", "starts_at", "ends_at", "place", "online_url", "audience",
            "capacity", "registration_open", "materials", "recording_url", "is_published",
            "is_public",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 5}),
            "materials": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = _("Norwegian time.")


class RegisterForm(PortalForm):
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, required=False)  # type: ignore[arg-type]  # the queryset is set in __init__

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = _("Myself only")

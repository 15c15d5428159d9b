from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm
from incidents import storage
from incidents.choices import DataImpact, IncidentStatus
from incidents.models import Incident


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files; each checked for size and type by content (incidents.storage.check)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[storage.CheckedFile]:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > storage.MAX_FILES:
            raise ValidationError(_("At most %(n)s files at a time.") % {"n": storage.MAX_FILES})
        checked = []
        errors = []
        for upload in uploads:
            if upload.size > storage.max_bytes():
                errors.append(
                    _("%(name)s is larger than %(mb)s MB.")
                    % {"name": storage.clean_name(upload.name), "mb": storage.max_bytes() // (1024 * 1024)}
                )
                continue
            try:
                checked.append(storage.check(upload.name, upload.read(storage.max_bytes() + 1)))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def _attachments_field() -> AttachmentsField:
    return AttachmentsField(
        label=_("Attachments"),
        help_text=_("Up to %(n)s files of at most 10 MB each: PDF, PNG, JPEG, or text (txt, log, csv).")
        % {"n": storage.MAX_FILES},
        widget=MultipleFileInput(attrs={"accept": ",".join(storage.ALLOWED_EXTENSIONS)}),
    )


class IncidentForm(PortalModelForm):
    discovered_at = forms.DateTimeField(
        label=_("When was it discovered?"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    personal_data = forms.ChoiceField(
        label=_("May personal data be affected?"), choices=DataImpact.choices, widget=forms.RadioSelect
    )
    health_data = forms.ChoiceField(
        label=_("May health data be affected?"), choices=DataImpact.choices, widget=forms.RadioSelect
    )
    attachments = _attachments_field()

    class Meta:
        model = Incident
        fields = [
            "title",
            "what_happened",
            "discovered_at",
            "affected_systems",
            "personal_data",
            "health_data",
            "ongoing",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 6}),
            "affected_systems": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "what_happened": _("What you have seen, and what you have done so far."),
            "ongoing": _("Tick if the attack or the fault is still going on."),
        }


class MessageForm(PortalForm):
    body = forms.CharField(label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = _attachments_field()


class StatusForm(PortalForm):
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)

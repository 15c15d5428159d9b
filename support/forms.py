from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm
from core.permissions import Action, can
from organisations.models import Organisation
from support.choices import AttendanceStatus, RequestCategory, RequestStatus, Weekday
from support.models import AttendanceRequest, OpeningHours, SpecialDay


def organisations_for(user: Any, action: Action) -> list[Any]:
    """The organisations in which ``user`` may perform ``action`` (their own roles)."""
    return [org for org in Organisation.objects.held_by(user).order_by("name") if can(user, action, org)]


class OrganisationChoiceMixin:
    def set_organisations(self, organisations: list[Any]) -> None:
        field = self.fields["organisation"]  # type: ignore[attr-defined]  # the mixin is used on forms only
        field.queryset = field.queryset.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            field.initial = organisations[0].pk


class SupportRequestForm(OrganisationChoiceMixin, PortalForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)  # type: ignore[arg-type]  # the queryset is set in __init__
    category = forms.ChoiceField(label=_("What is it about?"), choices=RequestCategory.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Do not write health information about patients here."),
    )

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.all()
        self.set_organisations(organisations)


class MessageForm(PortalForm):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class ManageForm(PortalForm):
    status = forms.ChoiceField(label=_("Status"), choices=RequestStatus.choices)
    assigned_to = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False)  # type: ignore[arg-type]  # the queryset is set in __init__

    def __init__(self, *args: Any, agents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = agents
        self.fields["assigned_to"].label_from_instance = lambda u: u.get_full_name() or u.email


class OpeningHoursForm(PortalModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Open on"), choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = OpeningHours
        fields = ["phone", "email", "opens", "closes", "weekdays", "closed_on_public_holidays", "note"]
        widgets = {"opens": forms.TimeInput(attrs={"type": "time"}), "closes": forms.TimeInput(attrs={"type": "time"})}


class SpecialDayForm(PortalModelForm):
    class Meta:
        model = SpecialDay
        fields = ["date", "closed", "opens", "closes", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"opens": _("For reduced hours: untick closed all day, and give the hours.")}


class AttendanceRequestForm(OrganisationChoiceMixin, PortalModelForm):
    class Meta:
        model = AttendanceRequest
        fields = ["organisation", "kind", "topic", "starts_at", "place", "audience_size", "details"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
        labels = {"organisation": _("Organisation")}

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = None
        self.fields["starts_at"].help_text = _("Norwegian time.")
        self.set_organisations(organisations)


class AttendanceAnswerForm(PortalForm):
    status = forms.ChoiceField(
        label=_("Will NHN attend?"),
        choices=[
            (AttendanceStatus.ACCEPTED, AttendanceStatus.ACCEPTED.label),
            (AttendanceStatus.DECLINED, AttendanceStatus.DECLINED.label),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("Answer to the member"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)

"""Forms of the connection registry and the member's tools. Rules live in services and assessment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connections.choices import (
    CONTRACTUAL_FIELDS,
    MEMBER_FIELDS,
    Budget,
    Competence,
    Concern,
    ConcernAnswer,
    DataProcessing,
    Growth,
    Redundancy,
    SecurityLevel,
    UptimeNeed,
)
from connections.models import Connection, ConnectionType, Outage
from core.forms import PortalForm, PortalModelForm
from core.roles import OrganisationRoleType
from organisations.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ORG_NUMBER_SPLIT = re.compile(r"[\s,;]+")


def organisations_by_number(text: str) -> list[Organisation]:
    """Organisations from organisation numbers separated by spaces, commas or semicolons."""
    numbers = [n for n in ORG_NUMBER_SPLIT.split(text.strip()) if n]
    found = {org.org_number: org for org in Organisation.objects.filter(org_number__in=numbers)}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ValidationError(_("No organisation has the number %(numbers)s."), params={"numbers": ", ".join(missing)})
    return [found[n] for n in dict.fromkeys(numbers)]


class TechnicalContactChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class ConnectionForm(PortalModelForm):
    owner = forms.CharField(
        label=_("Owner's organisation number"), max_length=20, help_text=_("9 digits, for example 974 760 673.")
    )
    sharing = forms.CharField(
        label=_("Shared with (organisation numbers)"),
        required=False,
        max_length=2000,
        help_text=_("Other members that use this line, separated by spaces or commas."),
    )
    technical_contact = TechnicalContactChoice(
        label=_("Technical contact"), queryset=get_user_model().objects.none(), required=False
    )

    class Meta:
        model = Connection
        fields = [
            "site_address",
            "site_municipality",
            "connection_type",
            "provider",
            "bandwidth_mbps",
            "redundancy",
            "uptime_target",
            "status",
            "planned_on",
            "ordered_on",
            "activated_on",
            "decommissioned_on",
            "technical_contact",
            "notes",
        ]
        widgets = {
            "planned_on": DATE,
            "ordered_on": DATE,
            "activated_on": DATE,
            "decommissioned_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site_municipality"].required = True
        self.fields["connection_type"].queryset = ConnectionType.objects.filter(is_active=True)
        self.fields["technical_contact"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, organisation_roles__role=OrganisationRoleType.TECHNICAL_CONTACT)
            .distinct()
            .order_by("full_name")
        )
        self.order_fields(["owner", "sharing", *self.Meta.fields])
        if self.instance.pk:
            self.initial.setdefault("owner", self.instance.organisation.org_number)
            self.initial.setdefault(
                "sharing", " ".join(org.org_number or "" for org in self.instance.shared_with.all())
            )

    def clean_owner(self) -> Organisation:
        organisations = organisations_by_number(self.cleaned_data["owner"])
        if len(organisations) != 1:
            raise ValidationError(_("Give exactly one organisation number."))
        return organisations[0]

    def clean_sharing(self) -> list[Organisation]:
        return organisations_by_number(self.cleaned_data["sharing"] or "")

    def _post_clean(self) -> None:
        # The owner is not a model field of the form; set it before the model validates itself.
        owner = self.cleaned_data.get("owner")
        if isinstance(owner, Organisation):
            self.instance.organisation = owner
        super()._post_clean()


class OutageForm(PortalModelForm):
    class Meta:
        model = Outage
        fields = ["start", "end", "cause", "planned"]
        widgets = {"start": DATETIME, "end": DATETIME}


class ImportForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("What does the file hold?"),
        choices=[("connections", _("Connections")), ("outages", _("Outages"))],
        initial="connections",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, with the column names on the first line."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class BeforeAfterForm(PortalForm):
    before = forms.DateField(label=_("Before"), widget=DATE)
    after = forms.DateField(label=_("After"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("before") and data.get("after") and data["before"] >= data["after"]:
            raise ValidationError(_("The first date must be before the second."))
        return data


class YearForm(PortalForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise ValidationError(_("Choose a year that has begun."))
        return year


# --- the member's tools ---------------------------------------------------------------------------


class AssessmentForm(PortalForm):
    users = forms.IntegerField(
        label=_("How many people use the record system and national services at the same time?"),
        min_value=1,
        max_value=100_000,
    )
    sites = forms.IntegerField(
        label=_("How many sites (buildings) need Helsenettet?"), min_value=1, max_value=1000, initial=1
    )
    imaging = forms.BooleanField(label=_("We send or read images (X-ray, ultrasound, dermatology)"), required=False)
    video = forms.BooleanField(label=_("We hold video consultations"), required=False)
    uptime = forms.ChoiceField(
        label=_("How long can you manage without Helsenettet?"), choices=UptimeNeed.choices, widget=forms.RadioSelect
    )
    security = forms.ChoiceField(label=_("Security level"), choices=SecurityLevel.choices, widget=forms.RadioSelect)
    data_processing = forms.ChoiceField(
        label=_("Where is your health information processed?"), choices=DataProcessing.choices, widget=forms.RadioSelect
    )
    budget = forms.ChoiceField(label=_("Budget for the connection"), choices=Budget.choices, widget=forms.RadioSelect)
    competence = forms.ChoiceField(
        label=_("Technical competence"), choices=Competence.choices, widget=forms.RadioSelect
    )
    growth = forms.ChoiceField(
        label=_("Expected growth in the next three years"), choices=Growth.choices, widget=forms.RadioSelect
    )

    # The groups the guided form shows one heading each for (the deck's five questions).
    STEPS = [
        (_("Bandwidth"), ["users", "sites", "imaging", "video"]),
        (_("Uptime and robustness"), ["uptime"]),
        (_("Security level and data processing"), ["security", "data_processing"]),
        (_("Budget and competence"), ["budget", "competence"]),
        (_("Future needs"), ["growth"]),
    ]

    def steps(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.STEPS]


QUESTIONS = {
    Concern.UPTIME: _("Does the vendor promise uptime at least as high as NHN's backbone, in writing?"),
    Concern.TROUBLESHOOTING: _("When something fails, can you reach someone who sees the whole path to Helsenettet?"),
    Concern.ROBUSTNESS: _("Does the solution keep working if the vendor's own data centre has trouble?"),
    Concern.REDUNDANCY: _("Does the vendor's connection have two independent routes to Helsenettet?"),
    Concern.CAPACITY: _("Is the capacity reserved for you, also when the vendor's other customers are busy?"),
    Concern.PREPAREDNESS: _("Does the solution work in a crisis, and is it part of your emergency plans?"),
}

RECOMMENDATIONS = {
    Concern.UPTIME: _(
        "NHN's backbone aims at 100 % uptime with at least three routes between all points. Through a "
        "vendor, your uptime is the vendor's uptime."
    ),
    Concern.TROUBLESHOOTING: _(
        "With your own connection NHN's customer centre sees your line end to end. Through a vendor, a fault "
        "is passed between parties."
    ),
    Concern.ROBUSTNESS: _("Your own connection does not depend on another company's data centre or contracts."),
    Concern.REDUNDANCY: _("Your own connection can be ordered with two lines on diverse routes."),
    Concern.CAPACITY: _("Your own connection's bandwidth is yours alone and can grow with your needs."),
    Concern.PREPAREDNESS: _(
        "Emergency services, nursing homes and home care need Helsenettet in a crisis: keep the connection "
        "under your own preparedness plans."
    ),
}


class DecisionForm(PortalForm):
    vendor = forms.CharField(label=_("Which EPJ vendor are you moving to?"), max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for concern in Concern:
            self.fields[concern.value] = forms.ChoiceField(
                label=QUESTIONS[concern],
                choices=ConcernAnswer.choices,
                widget=forms.RadioSelect,
                help_text=RECOMMENDATIONS[concern],
            )

    def concerns(self) -> list[tuple[Any, Any]]:
        return [(concern.label, self[concern.value]) for concern in Concern]

    def answers(self) -> dict[str, str]:
        return {concern.value: self.cleaned_data[concern.value] for concern in Concern}


class TerminationForm(PortalForm):
    connection = forms.ModelChoiceField(label=_("Connection to end"), queryset=Connection.objects.none())
    wanted_end = forms.DateField(label=_("Wanted end date"), widget=DATE)
    reason = forms.CharField(
        label=_("Why do you want to end it?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("I have read what will stop working, and I have authority to end the connection."), required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["connection"].queryset = organisation.connections.exclude(status="decommissioned")
        self.fields["wanted_end"].initial = timezone.localdate() + dt.timedelta(days=90)


class MemberDetailsForm(PortalModelForm):
    """What the owner corrects itself: the site and who NHN calls about the line."""

    technical_contact = TechnicalContactChoice(
        label=_("Technical contact"), queryset=get_user_model().objects.none(), required=False
    )

    class Meta:
        model = Connection
        fields = list(MEMBER_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site_municipality"].required = True
        # Only the owner's technical contacts (the service checks it again, with the sharing members).
        self.fields["technical_contact"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                organisation_roles__organisation_id=self.instance.organisation_id,
                organisation_roles__role=OrganisationRoleType.TECHNICAL_CONTACT,
            )
            .distinct()
            .order_by("full_name")
        )

    def _post_clean(self) -> None:
        # The service validates the whole connection inside its transaction; the form only cleans fields.
        pass


class ChangeRequestForm(PortalForm):
    """What the owner asks NHN to change: the values the agreement fixes, filled in with today's."""

    connection_type = forms.ModelChoiceField(label=_("Type"), queryset=ConnectionType.objects.none())
    provider = forms.CharField(label=_("Provider"), max_length=150, required=False)
    bandwidth_mbps = forms.IntegerField(label=_("Bandwidth (Mbit/s)"), min_value=1, max_value=100_000)
    redundancy = forms.ChoiceField(label=_("Redundancy"), choices=Redundancy.choices)
    uptime_target = forms.DecimalField(
        label=_("Uptime target (%)"), min_value=Decimal("90"), max_value=Decimal("100"), decimal_places=3
    )
    message = forms.CharField(
        label=_("Why, and anything NHN should know"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, connection: Connection, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(connection, name) for name in CONTRACTUAL_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["connection_type"].queryset = ConnectionType.objects.filter(
            Q(is_active=True) | Q(pk=connection.connection_type_id)
        )

    def wanted(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CONTRACTUAL_FIELDS}


class HandleRequestForm(PortalForm):
    """Staff's answer to a member's request."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer to the member"),
        help_text=_("Required when you reject: the member is told why."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

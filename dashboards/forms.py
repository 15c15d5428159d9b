import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from memberships.models import TermsVersion

EARLIEST = dt.date(2000, 1, 1)


class StatusForm(PortalForm):
    """Which round, as of which day, compared with which day."""

    own_date_bounds = ("as_of", "compare")  # clean() allows 1 January 2000 to today, and says so

    version = forms.ModelChoiceField(
        label=_("Terms version"),
        queryset=TermsVersion.objects.published().without_texts(),
        required=False,
        empty_label=None,
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    compare = forms.DateField(
        label=_("Compare with"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: shows before and after per Diginettverk and county."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        for name in ("as_of", "compare"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= today:
                self.add_error(name, _("Choose a date between 1 January 2000 and today."))
        return data

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from core.permissions import POLICY, Action
from orders.choices import TRANSITIONS, OrderState


class TransitionForm(PortalForm):
    to_state = forms.ChoiceField(label=_("Move to"))
    comment = forms.CharField(
        label=_("Comment to the member"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject or cancel."),
    )

    def __init__(self, *args: Any, state: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(state, frozenset())
        self.fields["to_state"].choices = [(value, label) for value, label in OrderState.choices if value in allowed]


class AssignForm(PortalForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), required=False, queryset=None, empty_label=_("Nobody"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, staff_role__in=sorted(POLICY[Action.ORDER_HANDLE].staff))
            .order_by("full_name")
        )


class CommentForm(PortalForm):
    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(PortalForm):
    reason = forms.CharField(label=_("Why do you withdraw the order?"), max_length=1000)

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import PortalModelForm
from suggestions.models import Suggestion


class SuggestionForm(PortalModelForm):
    class Meta:
        model = Suggestion
        fields = ["category", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class AnswerForm(PortalModelForm):
    class Meta:
        model = Suggestion
        fields = ["status", "answer", "event", "answer_url"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = self.fields["event"].queryset.order_by("-starts_at")

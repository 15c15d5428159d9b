from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm
from organisations.choices import OrganisationForm
from organisations.models import Organisation
from surveys.choices import QuestionKind
from surveys.models import Question, Survey

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(PortalModelForm):
    audience_forms = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=OrganisationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisation forms that may answer. None chosen: every member."),
    )

    class Meta:
        model = Survey
        fields = ["title", "intro", "audience_forms", "opens_at", "closes_at", "answer_per"]
        widgets = {"opens_at": DATETIME, "closes_at": DATETIME, "intro": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(PortalModelForm):
    options_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For single and multiple choice: one choice per line."),
    )

    class Meta:
        model = Question
        fields = ["kind", "text", "required", "options_text", "scale_min", "scale_max"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.instance.options = [line.strip() for line in (data.get("options_text") or "").splitlines() if line.strip()]
        return data

    def _update_errors(self, errors: Any) -> None:
        # Model validation reports choices on "options"; the form shows them on the field people type in.
        if hasattr(errors, "error_dict") and "options" in errors.error_dict:
            errors.error_dict["options_text"] = errors.error_dict.pop("options")
        super()._update_errors(errors)


class AnswerForm(PortalForm):
    """One field per question; single/multiple choice and scale as radio buttons and check boxes."""

    organisation = forms.ModelChoiceField(label=_("Answer on behalf of"), queryset=None, empty_label=None)  # type: ignore[arg-type]  # the queryset is set in __init__

    def __init__(
        self, *args: Any, survey: Survey, questions: list[Question], organisations: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        for question in questions:
            name = f"q{question.pk}"
            options: dict[str, Any] = {"label": question.text, "required": question.required}
            if question.kind == QuestionKind.SINGLE:
                field: forms.Field = forms.ChoiceField(
                    choices=list(enumerate(question.options)), widget=forms.RadioSelect, **options
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=list(enumerate(question.options)), widget=forms.CheckboxSelectMultiple, **options
                )
            elif question.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(
                    choices=[(v, str(v)) for v in question.scale_values],
                    widget=forms.RadioSelect,
                    help_text=_("From %(low)s (lowest) to %(high)s (highest).")
                    % {"low": question.scale_min, "high": question.scale_max},
                    **options,
                )
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, **options)
            field.question = question  # type: ignore[attr-defined]  # the template reads the question off its field
            self.fields[name] = field

    def values(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import record_export
from core.forms import add_service_errors
from core.permissions import Action, can, require
from lib.csvsafe import csv_response
from lib.xlsxsafe import CONTENT_TYPE as XLSX_CONTENT_TYPE
from lib.xlsxsafe import Sheet, to_xlsx
from organisations.models import Organisation
from surveys import results, services
from surveys.choices import SurveyState
from surveys.filters import ResponseFilter
from surveys.forms import AnswerForm, QuestionForm, SurveyForm
from surveys.models import Question, Response, Survey


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """Members: the open surveys they may answer. Staff: every survey, with the number of answers."""
    if can(request.user, Action.ENGAGEMENT_MANAGE):
        surveys = Survey.objects.annotate(response_count=Count("responses"))
        return render(request, "surveys/survey_list_staff.html", {"surveys": surveys})
    now = timezone.now()
    open_surveys = Survey.objects.filter(is_published=True, opens_at__lte=now, closes_at__gt=now).annotate(
        question_count=Count("questions")
    )
    answered = set(Response.objects.filter(user=request.user).values_list("survey_id", flat=True))
    own_forms = set(Organisation.objects.held_by(request.user).values_list("form", flat=True))
    items = [
        (survey, survey.pk in answered)
        for survey in open_surveys
        if not survey.audience_forms or own_forms & set(survey.audience_forms)
    ]
    return render(request, "surveys/survey_list.html", {"items": items})


def _published_or_staff(request: HttpRequest, pk: int) -> Survey:
    survey = get_object_or_404(Survey, pk=pk)
    if not survey.is_published and not can(request.user, Action.ENGAGEMENT_MANAGE):
        raise Http404
    return survey


@login_required
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _published_or_staff(request, pk)
    organisations = services.eligible_organisations(request.user, survey)
    if survey.per_organisation:  # offer only the organisations that have not answered yet
        answered = set(Response.objects.filter(survey=survey).values_list("organisation_id", flat=True))
        organisations = [o for o in organisations if o.pk not in answered]
    done = services.answered_by(request.user, survey)
    questions = list(survey.questions.all())
    form = None
    if survey.state == SurveyState.OPEN and organisations and done is None:
        form = AnswerForm(request.POST or None, survey=survey, questions=questions, organisations=organisations)
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_answer(
                    actor=request.user,
                    survey=survey,
                    organisation=form.cleaned_data["organisation"],
                    values=form.values(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you for your answers!"))
                return redirect("surveys:survey_answer", pk=survey.pk)
    elif request.method == "POST":
        messages.error(request, _("You cannot answer this survey."))
        return redirect("surveys:survey_answer", pk=survey.pk)
    return render(
        request,
        "surveys/survey_answer.html",
        {
            "survey": survey,
            "questions": questions,
            "form": form,
            "done": done,
            "eligible": bool(organisations),
            "may_manage": can(request.user, Action.ENGAGEMENT_MANAGE),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def survey_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Action.ENGAGEMENT_MANAGE)
    survey = get_object_or_404(Survey, pk=pk) if pk else None
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_save(actor=request.user, survey=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The survey is saved. Add its questions."))
            return redirect("surveys:survey_build", pk=survey.pk)
    return render(
        request, "surveys/survey_form.html", {"form": form, "survey": survey}, status=400 if form.errors else 200
    )


@login_required
def survey_build(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's questions, a form to add one, and publishing."""
    require(request.user, Action.ENGAGEMENT_MANAGE)
    survey = get_object_or_404(Survey.objects.annotate(response_count=Count("responses")), pk=pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(actor=request.user, survey=survey, question=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The question is added."))
            return redirect("surveys:survey_build", pk=survey.pk)
    return render(
        request,
        "surveys/survey_build.html",
        {"survey": survey, "questions": survey.questions.all(), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    require(request.user, Action.ENGAGEMENT_MANAGE)
    question = get_object_or_404(Question, pk=question_pk, survey_id=pk)
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question is removed."))
    return redirect("surveys:survey_build", pk=pk)


@login_required
@require_POST
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.ENGAGEMENT_MANAGE)
    survey = get_object_or_404(Survey, pk=pk)
    try:
        services.survey_publish(actor=request.user, survey=survey)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The survey is published."))
    return redirect("surveys:survey_build", pk=pk)


def _filtered(request: HttpRequest, survey: Survey) -> ResponseFilter:
    return ResponseFilter(request.GET, queryset=Response.objects.filter(survey=survey))


@login_required
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.ENGAGEMENT_MANAGE)
    survey = get_object_or_404(Survey, pk=pk)
    filters = _filtered(request, survey)
    total, question_results = results.aggregate(survey, filters.qs)
    return render(
        request,
        "surveys/survey_results.html",
        {"survey": survey, "filters": filters.form, "total": total, "results": question_results,
         "query": request.GET.urlencode()},
    )  # fmt: skip


@login_required
def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    require(request.user, Action.ENGAGEMENT_MANAGE)
    survey = get_object_or_404(Survey, pk=pk)
    header, rows = results.export_rows(survey, _filtered(request, survey).qs)
    filename = f"survey-{survey.pk}"
    if fmt == "csv":
        local = [
            [timezone.localtime(c).strftime("%Y-%m-%d %H:%M") if hasattr(c, "tzinfo") else c for c in r] for r in rows
        ]
        response = csv_response(f"{filename}.csv", header, local)
    elif fmt == "xlsx":
        local = [[timezone.localtime(c) if hasattr(c, "tzinfo") else c for c in r] for r in rows]
        response = HttpResponse(
            to_xlsx([Sheet(title=survey.title, header=header, rows=local)]), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise Http404
    record_export(request.user, what=f"survey:{survey.pk}:{fmt}", rows=len(rows))
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response

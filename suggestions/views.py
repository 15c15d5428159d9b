from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.permissions import Action, can
from organisations.models import Organisation
from suggestions import services
from suggestions.filters import SuggestionFilter
from suggestions.forms import AnswerForm, SuggestionForm
from suggestions.models import Suggestion, SuggestionSupport


def _annotated(user: object) -> QuerySet[Suggestion]:
    return Suggestion.objects.select_related("event", "organisation").annotate(
        support_count=Count("supports", distinct=True),
        supported=Exists(SuggestionSupport.objects.filter(suggestion=OuterRef("pk"), user=user)),
    )


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """Every suggestion, most supported first, and a form to suggest a topic."""
    filters = SuggestionFilter(request.GET, queryset=_annotated(request.user))
    filters.form.auto_id = "filter_%s"  # the suggestion form on the same page has a category field too
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        suggestion = form.save(commit=False)
        suggestion.organisation = Organisation.objects.held_by(request.user).order_by("name").first()
        try:
            services.suggestion_create(actor=request.user, suggestion=suggestion)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you! Your suggestion is published and others can support it."))
            return redirect("suggestions:suggestion_list")
    return render(
        request,
        "suggestions/suggestion_list.html",
        {
            "suggestions": filters.qs.order_by("-support_count", "-created_at")[:200],
            "form": form,
            "filters": filters.form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(_annotated(request.user).select_related("created_by"), pk=pk)
    may_manage = can(request.user, Action.ENGAGEMENT_MANAGE)
    form = AnswerForm(request.POST or None, instance=suggestion) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.suggestion_answer(actor=request.user, suggestion=suggestion, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved. The suggester is told by e-mail."))
                return redirect(suggestion)
    return render(
        request,
        "suggestions/suggestion_detail.html",
        {"suggestion": suggestion, "form": form, "own": suggestion.created_by_id == request.user.pk},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def suggestion_support(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion, pk=pk)
    if request.POST.get("withdraw"):
        services.suggestion_withdraw_support(actor=request.user, suggestion=suggestion)
        messages.success(request, _("Your support is withdrawn."))
    else:
        try:
            added = services.suggestion_support(actor=request.user, suggestion=suggestion)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Thank you for your support.") if added else _("You already support this topic.")
            )
    if request.POST.get("next") == "list":
        return redirect("suggestions:suggestion_list")
    return redirect(suggestion)

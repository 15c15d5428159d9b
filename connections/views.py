"""Pages of the connection registry and of the member's connection tools. Thin: load with an access
check, bind a form, call one service, redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections import documents, reports, services
from connections import selectors as connection_selectors
from connections.assessment import compare
from connections.choices import (
    CONCERN_ANSWER_COLOURS,
    Concern,
    ConcernAnswer,
    ConnectionStatus,
)
from connections.filters import ConnectionFilter
from connections.forms import (
    QUESTIONS,
    RECOMMENDATIONS,
    AssessmentForm,
    BeforeAfterForm,
    ConnectionForm,
    DecisionForm,
    ImportForm,
    OutageForm,
    TerminationForm,
    YearForm,
)
from connections.importer import COLUMNS, OUTAGE_COLUMNS, import_connections, import_outages
from connections.models import Assessment, CloudDecision, Connection, Outage, TerminationRequest
from core.access import DataKind, record_view
from core.forms import add_service_errors
from core.permissions import Action, can, get_visible_or_404, require
from organisations.models import Organisation

PAGE_SIZE = 50
WITHOUT_CONNECTION_SHOWN = 20


def _visible_connection(request: HttpRequest, pk: int, action: Action = Action.CONNECTION_VIEW) -> Connection:
    """A connection the user can see (else 404). Seeing it is enough to read it: a sharing member reads
    the owner's line; other actions are asked of the permission module (else 403)."""
    queryset = (
        Connection.objects.visible_to(request.user)
        .with_flags()
        .select_related("organisation__membership", "connection_type", "site_municipality__county", "technical_contact")
    )
    connection = queryset.filter(pk=pk).first()
    if connection is None:
        raise Http404
    if action != Action.CONNECTION_VIEW:
        require(request.user, action, connection)
    return connection


# --- the registry ---------------------------------------------------------------------------------


@login_required
def connection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queryset = (
        Connection.objects.visible_to(user)
        .with_flags()
        .select_related("organisation", "connection_type", "site_municipality")
        .order_by("organisation__search_name", "pk")
    )
    filterset = ConnectionFilter(request.GET or None, queryset=queryset)
    results = queryset
    if filterset.is_bound:
        results = filterset.qs if filterset.is_valid() else queryset.none()
    page = Paginator(results.distinct(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    organisations = Organisation.objects.visible_to(user)
    without = connection_selectors.members_without_connection(organisations).order_by("search_name")
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "may_manage": can(user, Action.CONNECTION_MANAGE),
        "without_count": without.count(),
        "without": list(without[:WITHOUT_CONNECTION_SHOWN]),
    }
    template = "connections/partials/_results.html" if request.htmx else "connections/connection_list.html"
    return render(request, template, context)


@login_required
def connection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _visible_connection(request, pk)
    record_view(request.user, connection, kind=DataKind.CONNECTION, label=str(connection))
    year_form = YearForm(request.GET or None, initial={"year": timezone.localdate().year})
    year = year_form.cleaned_data["year"] if year_form.is_valid() else timezone.localdate().year
    figures = reports.connection_uptime(connection, year)
    changes = connection.changes.select_related("actor")[:50]
    return render(
        request,
        "connections/connection_detail.html",
        {
            "connection": connection,
            # Only organisations the reader may open get a link: a practice sharing its line with a
            # GP's own ENK is shown to him by name, not as a link that ends in "not found".
            "owner_visible": can(request.user, Action.ORGANISATION_VIEW, connection.organisation),
            "shared_with": [
                (org, can(request.user, Action.ORGANISATION_VIEW, org)) for org in connection.shared_with.all()
            ],
            "changes": changes,
            "outages": connection.outages.all()[:100],
            "terminations": connection.termination_requests.select_related("requested_by"),
            "figures": figures,
            "year_form": year_form,
            "may_manage": can(request.user, Action.CONNECTION_MANAGE, connection),
            "may_member_edit": can(request.user, Action.CONNECTION_MEMBER_EDIT, connection)
            and connection.status != ConnectionStatus.DECOMMISSIONED,
            "change_requests": connection.change_requests.select_related("requested_by"),
            "status_badge_colour": connection.status_colour,
        },
    )


@login_required
def connection_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk:
        connection = _visible_connection(request, pk, Action.CONNECTION_MANAGE)
    else:
        require(request.user, Action.CONNECTION_MANAGE)
        connection = None
    initial = {}
    if connection is None and (owner := request.GET.get("organisation", "")).isdigit():
        organisation = Organisation.objects.filter(pk=owner).first()
        if organisation is not None:
            initial["owner"] = organisation.org_number
            initial["site_address"] = organisation.business_address
            initial["site_municipality"] = organisation.address_municipality_id
    form = ConnectionForm(request.POST or None, instance=connection, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.connection_save(
                actor=request.user, connection=form.save(commit=False), shared_with=form.cleaned_data["sharing"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The connection is saved, and the change is in its history."))
            return redirect(saved)
    status = 400 if request.method == "POST" else 200
    return render(request, "connections/connection_form.html", {"form": form, "connection": connection}, status=status)


@login_required
def outage_edit(request: HttpRequest, pk: int, outage_pk: int | None = None) -> HttpResponse:
    connection = _visible_connection(request, pk, Action.CONNECTION_MANAGE)
    outage = get_object_or_404(Outage, pk=outage_pk, connection=connection) if outage_pk else None
    form = OutageForm(request.POST or None, instance=outage or Outage(connection=connection))
    if request.method == "POST" and form.is_valid():
        try:
            services.outage_save(actor=request.user, outage=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The outage is saved."))
            return redirect(connection)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "connections/outage_form.html",
        {"form": form, "connection": connection, "outage": outage},
        status=status,
    )


@login_required
def connection_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CONNECTION_MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            importer = import_outages if form.cleaned_data["kind"] == "outages" else import_connections
            result = importer(actor=request.user, content=form.cleaned_data["file"].read())
            if result.ok:
                messages.success(
                    request,
                    ngettext("Imported %(count)s row.", "Imported %(count)s rows.", len(result.created))
                    % {"count": len(result.created)},
                )
                return redirect("connections:connection_list")
            errors = result.errors
        status = 400
    return render(
        request,
        "connections/import.html",
        {"form": form, "errors": errors, "columns": COLUMNS, "outage_columns": OUTAGE_COLUMNS},
        status=status,
    )


# --- reports --------------------------------------------------------------------------------------


@login_required
def backbone_uptime(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CONNECTION_STATUS_VIEW)
    form = YearForm(request.GET or None, initial={"year": timezone.localdate().year})
    year = form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year
    return render(
        request,
        "connections/backbone_uptime.html",
        {"form": form, "figures": reports.backbone_uptime(year), "year": year},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def before_after(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CONNECTION_STATUS_VIEW)
    today = timezone.localdate()
    # By default: the start of the year against today (on 1 January, a year back).
    start = today.replace(month=1, day=1)
    default_before = start if start < today else start.replace(year=start.year - 1)
    form = BeforeAfterForm(request.GET or None, initial={"before": default_before, "after": today})
    before, after = default_before, today
    if form.is_bound and form.is_valid():
        before, after = form.cleaned_data["before"], form.cleaned_data["after"]
    return render(
        request,
        "connections/before_after.html",
        {"form": form, "report": reports.before_after(before, after), "statuses": ConnectionStatus.choices},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- the member's tools ---------------------------------------------------------------------------


def _current_connection(organisation: Organisation) -> Connection | None:
    """The member's own connection to compare with: an active one first, else the newest in use."""
    candidates = organisation.connections.exclude(status=ConnectionStatus.DECOMMISSIONED).select_related(
        "connection_type"
    )
    return candidates.filter(status=ConnectionStatus.ACTIVE).first() or candidates.order_by("-pk").first()


@login_required
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.CONNECTION_ASSESS, pk=pk)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assessment = services.assessment_save(actor=request.user, organisation=organisation, answers=form.cleaned_data)
        messages.success(request, _("Your assessment is saved. Here is our recommendation."))
        return redirect(assessment)
    status = 400 if request.method == "POST" else 200
    previous = Assessment.objects.filter(organisation=organisation).select_related("recommended_type")[:5]
    return render(
        request,
        "connections/assessment_form.html",
        {"form": form, "organisation": organisation, "previous": previous},
        status=status,
    )


def _visible_assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_visible_or_404(
        Assessment.objects.select_related("organisation", "recommended_type", "created_by"),
        request.user,
        Action.CONNECTION_ASSESSMENT_VIEW,
        pk=pk,
    )


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _visible_assessment(request, pk)
    record_view(request.user, assessment, kind=DataKind.CONNECTION, label=str(assessment))
    current = _current_connection(assessment.organisation)
    return render(
        request,
        "connections/assessment_detail.html",
        {
            "assessment": assessment,
            "answers": documents.answer_rows(assessment),
            "current": current,
            "comparison": compare(assessment, current) if current else [],
            "may_assess": can(request.user, Action.CONNECTION_ASSESS, assessment.organisation),
        },
    )


@login_required
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _visible_assessment(request, pk)
    record_view(request.user, assessment, kind=DataKind.CONNECTION, label=str(assessment))
    content = documents.assessment_pdf(assessment, _current_connection(assessment.organisation))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.assessment_filename(assessment)}"'
    return response


@login_required
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.CONNECTION_ASSESS, pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_save(
                actor=request.user,
                organisation=organisation,
                vendor=form.cleaned_data["vendor"],
                answers=form.answers(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(decision)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "connections/decision_form.html", {"form": form, "organisation": organisation}, status=status
    )


def _concern_rows(decision: CloudDecision) -> list[dict[str, Any]]:
    rows = []
    for concern in Concern:
        answer = ConcernAnswer(decision.answers.get(concern.value, ConcernAnswer.UNKNOWN))
        rows.append(
            {
                "concern": concern.label,
                "question": QUESTIONS[concern],
                "answer": answer.label,
                "colour": CONCERN_ANSWER_COLOURS[answer],
                "covered": answer == ConcernAnswer.YES,
                "recommendation": RECOMMENDATIONS[concern],
            }
        )
    return rows


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_visible_or_404(
        CloudDecision.objects.select_related("organisation"), request.user, Action.CONNECTION_ASSESSMENT_VIEW, pk=pk
    )
    record_view(request.user, decision, kind=DataKind.CONNECTION, label=str(decision))
    rows = _concern_rows(decision)
    return render(
        request,
        "connections/decision_detail.html",
        {
            "decision": decision,
            "rows": rows,
            "uncovered": sum(1 for row in rows if not row["covered"]),
            "may_terminate": can(request.user, Action.CONNECTION_TERMINATION_REQUEST, decision.organisation),
        },
    )


@login_required
def termination_request(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation.objects.all(), request.user, Action.CONNECTION_TERMINATION_REQUEST, pk=pk
    )
    decision = CloudDecision.objects.filter(organisation=organisation).first()
    lost = connection_selectors.services_lost(organisation)
    form = TerminationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.termination_request_submit(
                actor=request.user,
                organisation=organisation,
                connection=form.cleaned_data["connection"],
                wanted_end=form.cleaned_data["wanted_end"],
                reason=form.cleaned_data["reason"],
                confirmed=form.cleaned_data["confirm"],
                decision=decision,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your request is sent to NHN. The customer centre will contact you before anything stops.")
            )
            return redirect(organisation)
    status = 400 if request.method == "POST" else 200
    requests = TerminationRequest.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("connection", queryset=Connection.objects.only("site_address"))
    )
    return render(
        request,
        "connections/termination_form.html",
        {"form": form, "organisation": organisation, "lost": lost, "decision": decision, "requests": requests},
        status=status,
    )

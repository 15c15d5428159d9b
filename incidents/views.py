"""Pages of incident reports. Every incident is loaded through ``Incident.objects.visible_to`` (else
404), and every view of one is written to the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.client_ip import client_ip
from core.forms import add_service_errors
from core.permissions import Action, can, get_visible_or_404, require, visibility
from incidents import services
from incidents.choices import AccessAction, IncidentStatus
from incidents.filters import IncidentFilter
from incidents.forms import IncidentForm, MessageForm, StatusForm
from incidents.models import Incident, IncidentAccessLog, IncidentAttachment
from organisations.models import Organisation

PAGE_SIZE = 25


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request) or None


def _incident(request: HttpRequest, pk: int) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).select_related("organisation", "reported_by").get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    analyst = can(request.user, Action.INCIDENT_TRIAGE)
    # An unknown status is left out: the list shows every incident, as with no status.
    filters = IncidentFilter(
        request.GET, queryset=Incident.objects.visible_to(request.user).select_related("organisation")
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    reporters = [
        org
        for org in Organisation.objects.filter(pk__in=visibility(request.user).organisation_ids).order_by("name")
        if can(request.user, Action.INCIDENT_REPORT, org)
    ]
    admin_of = [org for org in reporters if can(request.user, Action.INCIDENT_ACCESS_LOG, org)]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "analyst": analyst,
        "status": filters.form.cleaned_data.get("status") or "",
        "statuses": IncidentStatus.choices,
        "reporters": reporters,
        "admin_of": admin_of,
    }
    return render(request, "incidents/list.html", context)


@login_required
def incident_report(request: HttpRequest, org_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.INCIDENT_REPORT, pk=org_pk)
    initial = {"contact_name": request.user.get_full_name(), "contact_email": request.user.email}
    form = IncidentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        try:
            incident = services.incident_report(
                actor=request.user, organisation=organisation, data=data, files=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("HelseCERT has received the report %(ref)s. If it is urgent, call HelseCERT as well.")
                % {"ref": incident.reference},
            )
            return redirect(incident)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/report.html", {"form": form, "organisation": organisation}, status=status)


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return _render_detail(request, incident, MessageForm(), StatusForm(initial={"status": incident.status}))


def _render_detail(
    request: HttpRequest, incident: Incident, form: MessageForm, status_form: StatusForm, status: int = 200
) -> HttpResponse:
    # Every page that shows the incident is a view of it, also a form shown again with its errors.
    services.log_access(user=request.user, incident=incident, action=AccessAction.VIEW, ip=_client_ip(request))
    analyst = can(request.user, Action.INCIDENT_TRIAGE)
    attachments = list(incident.attachments.all())
    thread = list(incident.messages.select_related("author"))
    by_message: dict[int | None, list[IncidentAttachment]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    context = {
        "incident": incident,
        "thread": [(m, by_message.get(m.pk, [])) for m in thread],
        "report_attachments": by_message.get(None, []),
        "form": form,
        "status_form": status_form if analyst else None,
        "analyst": analyst,
        "may_write": analyst or incident.status != IncidentStatus.CLOSED,
        "may_see_log": can(request.user, Action.INCIDENT_ACCESS_LOG, incident),
    }
    return render(request, "incidents/detail.html", context, status=status)


@login_required
@require_POST
def incident_message(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.incident_message(
                actor=request.user,
                incident=incident,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(incident)
    return _render_detail(request, incident, form, StatusForm(initial={"status": incident.status}), status=400)


@login_required
@require_POST
def incident_status(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    if not can(request.user, Action.INCIDENT_TRIAGE, incident):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = StatusForm(request.POST)
    if form.is_valid():
        services.incident_set_status(actor=request.user, incident=incident, status=form.cleaned_data["status"])
        messages.success(request, _("The status is changed."))
        return redirect(incident)
    return _render_detail(request, incident, MessageForm(), form, status=400)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    attachment = get_object_or_404(IncidentAttachment, pk=attachment_pk, incident=incident)
    try:
        content = services.attachment_content(user=request.user, attachment=attachment)
    except OSError:
        raise Http404 from None
    services.log_access(
        user=request.user,
        incident=incident,
        action=AccessAction.DOWNLOAD,
        ip=_client_ip(request),
        detail=attachment.original_name,
    )
    response = HttpResponse(content, content_type="application/octet-stream")
    ascii_name = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in attachment.original_name
    )
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    return response


@login_required
def access_log(request: HttpRequest, org_pk: int) -> HttpResponse:
    """Who has opened this member's incidents: for the member's administrators (and the analysts)."""
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.INCIDENT_ACCESS_LOG, pk=org_pk)
    entries = IncidentAccessLog.objects.filter(organisation=organisation).select_related("incident")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "incidents/access_log.html", {"organisation": organisation, "page": page, "query": ""})


@login_required
def incident_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has opened one incident: for its reporter, the member's administrators and security contacts
    (and the analysts). Others who can see the incident get 403, everyone else 404."""
    incident = _incident(request, pk)
    require(request.user, Action.INCIDENT_ACCESS_LOG, incident)
    entries = IncidentAccessLog.objects.filter(incident=incident).select_related("incident")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {"organisation": incident.organisation, "incident": incident, "page": page, "query": ""}
    return render(request, "incidents/access_log.html", context)

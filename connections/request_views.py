"""The owner's corrections and requests about a connection, and the customer centre's queue that answers them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from connections import services
from connections.choices import (
    MEMBER_FIELDS,
    ChangeRequestStatus,
    TerminationStatus,
)
from connections.forms import (
    ChangeRequestForm,
    HandleRequestForm,
    MemberDetailsForm,
)
from connections.models import ChangeRequest, TerminationRequest
from connections.views import PAGE_SIZE, _visible_connection
from core.access import DataKind, record_view
from core.forms import add_service_errors
from core.permissions import Action, can, get_visible_or_404, require


@login_required
def connection_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner's administrator or technical contact corrects the site and the technical contact."""
    connection = _visible_connection(request, pk, Action.CONNECTION_MEMBER_EDIT)
    form = MemberDetailsForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_member_correct(
                actor=request.user,
                connection=connection,
                values={name: form.cleaned_data[name] for name in MEMBER_FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The connection is saved, and the change is in its history."))
            return redirect(connection)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "connections/member_details_form.html", {"form": form, "connection": connection}, status=status
    )


@login_required
def change_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner asks NHN to change what the agreement fixes (type, provider, bandwidth, redundancy, target)."""
    connection = _visible_connection(request, pk, Action.CONNECTION_MEMBER_EDIT)
    form = ChangeRequestForm(request.POST or None, connection=connection)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_submit(
                actor=request.user, connection=connection, wanted=form.wanted(), message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your request is sent to NHN. You get an e-mail when it is handled."))
            return redirect(change)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "connections/change_request_form.html", {"form": form, "connection": connection}, status=status
    )


def _handle(request: HttpRequest, item: Any, decide: Any) -> HttpResponse | HandleRequestForm | None:
    """Bind staff's decision form on a request page; on a valid POST call ``decide`` and redirect."""
    if not can(request.user, Action.CONNECTION_REQUESTS_HANDLE) or item.status != "submitted":
        if request.method == "POST":
            require(request.user, Action.CONNECTION_REQUESTS_HANDLE)
        return None
    form = HandleRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide(
                actor=request.user,
                request=item,
                accept=form.cleaned_data["decision"] == "accept",
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The request is handled, and the member is told."))
            return redirect("connections:request_queue")
    return form


def _request_detail(request: HttpRequest, model: Any, pk: int, kind: str, decide: Any) -> HttpResponse:
    """One change or termination request: staff read it (on the organisation's access log) and answer it."""
    item = get_visible_or_404(
        model.objects.select_related("organisation", "connection", "requested_by", "handled_by"),
        request.user,
        Action.CONNECTION_VIEW,
        pk=pk,
    )
    record_view(request.user, item, kind=DataKind.CONNECTION, label=str(item.connection))
    handled = _handle(request, item, decide)
    if isinstance(handled, HttpResponse):
        return handled
    return render(
        request,
        "connections/request_detail.html",
        {"item": item, "kind": kind, "form": handled},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_detail(request, ChangeRequest, pk, "change", services.change_request_decide)


@login_required
def termination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_detail(request, TerminationRequest, pk, "termination", services.termination_decide)


@login_required
def request_queue(request: HttpRequest) -> HttpResponse:
    """The customer centre's queue of members' change and termination requests: open ones first."""
    require(request.user, Action.CONNECTION_REQUESTS_HANDLE)
    show_all = request.GET.get("show") == "all"
    changes = ChangeRequest.objects.select_related("organisation", "connection", "requested_by")
    terminations = TerminationRequest.objects.select_related("organisation", "connection", "requested_by")
    if not show_all:
        changes = changes.filter(status=ChangeRequestStatus.SUBMITTED)
        terminations = terminations.filter(status=TerminationStatus.SUBMITTED)
    return render(
        request,
        "connections/request_queue.html",
        {
            "changes": changes.order_by("requested_at")[:PAGE_SIZE],
            "terminations": terminations.order_by("requested_at")[:PAGE_SIZE],
            "show_all": show_all,
        },
    )

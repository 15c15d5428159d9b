from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.permissions import Action, can, get_visible_or_404, require, visibility
from core.roles import StaffRole
from support import services
from support.choices import ACTIVE_STATUSES, RequestStatus
from support.filters import SupportQueueFilter
from support.forms import (
    AttendanceAnswerForm,
    AttendanceRequestForm,
    ManageForm,
    MessageForm,
    OpeningHoursForm,
    SpecialDayForm,
    SupportRequestForm,
    organisations_for,
)
from support.hours import coming_days, current_hours, describe_days, open_state
from support.models import AttendanceRequest, SpecialDay, SupportRequest

PAGE_SIZE = 100


def contact(request: HttpRequest) -> HttpResponse:
    """The customer centre: phone, e-mail, opening hours and whether it is open right now. Public."""
    hours = current_hours()
    return render(
        request,
        "support/contact.html",
        {
            "hours": hours,
            "days": describe_days(hours),
            "state": open_state(hours),
            "coming": coming_days(hours),
            "now": timezone.now(),
            "may_ask": request.user.is_authenticated
            and bool(organisations_for(request.user, Action.SUPPORT_REQUEST_CREATE)),
            "may_edit": can(request.user, Action.SUPPORT_HOURS_MANAGE),
        },
    )


@login_required
def hours_edit(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.SUPPORT_HOURS_MANAGE)
    form = OpeningHoursForm(request.POST or None, instance=current_hours())
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_hours_save(actor=request.user, hours=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The opening hours are saved."))
            return redirect("support:contact")
    return render(request, "support/hours_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def special_days(request: HttpRequest) -> HttpResponse:
    """The customer centre's special days: add one (closed, or reduced hours), see the coming ones."""
    require(request.user, Action.SUPPORT_HOURS_MANAGE)
    form = SpecialDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.special_day_save(actor=request.user, day=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The special day is saved."))
            return redirect("support:special_days")
    days = SpecialDay.objects.filter(date__gte=timezone.localdate())
    return render(
        request, "support/special_days.html", {"form": form, "days": days}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def special_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Action.SUPPORT_HOURS_MANAGE)
    day = SpecialDay.objects.filter(pk=pk).first()
    if day is None:
        from django.http import Http404

        raise Http404
    services.special_day_delete(actor=request.user, day=day)
    messages.success(request, _("The special day is removed."))
    return redirect("support:special_days")


def _own_requests(user: object) -> Q:
    """A member's list: the requests of the organisations they hold a role in (not a coordinator's network)."""
    return Q(organisation_id__in=visibility(user).organisation_ids)


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    if can(request.user, Action.SUPPORT_QUEUE):
        return redirect("support:queue")
    requests = (
        SupportRequest.objects.filter(_own_requests(request.user))
        .select_related("organisation")
        .order_by("-updated_at")[:PAGE_SIZE]
    )
    return render(
        request,
        "support/request_list.html",
        {
            "requests": requests,
            "may_ask": bool(organisations_for(request.user, Action.SUPPORT_REQUEST_CREATE)),
            "attendance": AttendanceRequest.objects.filter(_own_requests(request.user)).select_related("organisation")[
                :PAGE_SIZE
            ],
        },
    )


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    organisations = organisations_for(request.user, Action.SUPPORT_REQUEST_CREATE)
    if not organisations:
        raise PermissionDenied
    form = SupportRequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.support_request_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your request has been sent to the customer centre."))
            return redirect(created)
    return render(request, "support/request_form.html", {"form": form}, status=400 if form.errors else 200)


def _agents() -> object:
    return (
        get_user_model()
        .objects.filter(
            Q(staff_role__in=[StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN]) | Q(is_superuser=True), is_active=True
        )
        .order_by("full_name", "email")
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = get_visible_or_404(
        SupportRequest.objects.select_related("organisation", "created_by", "assigned_to"),
        request.user,
        Action.SUPPORT_REQUEST_VIEW,
        pk=pk,
    )
    is_agent = can(request.user, Action.SUPPORT_QUEUE)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_message_add(actor=request.user, request=support_request, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(support_request)
    manage_form = None
    if is_agent:
        manage_form = ManageForm(
            agents=_agents(),
            initial={"status": support_request.status, "assigned_to": support_request.assigned_to_id},
        )
    return render(
        request,
        "support/request_detail.html",
        {
            "support_request": support_request,
            "thread": support_request.messages.select_related("author"),
            "form": form,
            "manage_form": manage_form,
            "is_agent": is_agent,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def request_manage(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = get_visible_or_404(SupportRequest.objects.all(), request.user, Action.SUPPORT_QUEUE, pk=pk)
    form = ManageForm(request.POST, agents=_agents())
    if not form.is_valid():
        messages.error(request, _("Choose a status and an agent from the lists."))
        return redirect(support_request)
    try:
        services.support_request_manage(actor=request.user, request=support_request, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request is updated."))
    return redirect(support_request)


def _active_counts() -> list[tuple[str, int]]:
    """How many requests wait in each unfinished status (one query)."""
    counts = dict(
        SupportRequest.objects.filter(status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(str(RequestStatus(s).label), counts.get(s, 0)) for s in ACTIVE_STATUSES]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The customer centre's queue: unfinished requests first, filtered by status, category, assignee, text."""
    require(request.user, Action.SUPPORT_QUEUE)
    filters = SupportQueueFilter(
        request.GET,
        queryset=SupportRequest.objects.select_related("organisation", "assigned_to").annotate(
            message_count=Count("messages")
        ),
        request=request,
    )
    return render(
        request,
        "support/queue.html",
        {
            "filters": filters.form,
            "requests": filters.qs.order_by("-updated_at")[:PAGE_SIZE],
            "counts": _active_counts(),
        },
    )


# --- requests for NHN to attend ------------------------------------------------------------------


@login_required
def attendance_list(request: HttpRequest) -> HttpResponse:
    """Staff: every request, newest first. Members: their organisations' requests."""
    if can(request.user, Action.ENGAGEMENT_MANAGE):
        items = AttendanceRequest.objects.all()
    else:
        items = AttendanceRequest.objects.filter(_own_requests(request.user))
    return render(
        request,
        "support/attendance_list.html",
        {
            "items": items.select_related("organisation")[:PAGE_SIZE],
            "may_ask": bool(organisations_for(request.user, Action.ATTENDANCE_REQUEST_CREATE)),
        },
    )


@login_required
def attendance_create(request: HttpRequest) -> HttpResponse:
    organisations = organisations_for(request.user, Action.ATTENDANCE_REQUEST_CREATE)
    if not organisations:
        raise PermissionDenied
    form = AttendanceRequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.attendance_request_create(actor=request.user, request=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your request has been sent. NHN will answer you here and by e-mail."))
            return redirect(created)
    return render(request, "support/attendance_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def attendance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        AttendanceRequest.objects.select_related("organisation", "created_by", "answered_by"),
        request.user,
        Action.ATTENDANCE_REQUEST_VIEW,
        pk=pk,
    )
    may_answer = can(request.user, Action.ENGAGEMENT_MANAGE)
    form = AttendanceAnswerForm(request.POST or None) if may_answer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.attendance_request_answer(actor=request.user, request=item, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The answer is saved and sent to the member."))
                return redirect(item)
    return render(
        request,
        "support/attendance_detail.html",
        {"item": item, "form": form},
        status=400 if form is not None and form.errors else 200,
    )

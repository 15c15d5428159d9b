from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import Action, can, require
from orders import services
from orders.choices import MEMBER_CANCELLABLE
from orders.filters import OrderQueueFilter
from orders.forms import AssignForm, CancelForm, CommentForm, TransitionForm
from orders.models import Order


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The customer centre's queue: open orders, oldest first, with filters."""
    require(request.user, Action.ORDER_HANDLE)
    filters = OrderQueueFilter(
        request.GET,
        queryset=Order.objects.select_related(
            "organisation", "organisation__address_municipality__county", "service", "assignee"
        ),
        request=request,
    )
    page = Paginator(filters.qs.order_by("submitted_at", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "orders/queue.html", {"form": filters.form, "page": page, "now": timezone.now()})


def _visible_order(request: HttpRequest, pk: int, action: Action = Action.ORDER_VIEW) -> Order:
    order = get_object_or_404(
        Order.objects.visible_to(request.user).select_related(
            "organisation", "service", "assignee", "submitted_by", "terms_version", "signing"
        ),
        pk=pk,
    )
    require(request.user, action, order)
    return order


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    events = list(order.events.select_related("actor", "assignee"))
    handler = can(request.user, Action.ORDER_HANDLE)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "events": events,
            "durations": services.time_in_states(order, events),
            "handler": handler,
            "transition_form": TransitionForm(state=order.state) if handler and order.is_open else None,
            "assign_form": AssignForm(initial={"assignee": order.assignee_id}) if handler and order.is_open else None,
            "comment_form": CommentForm() if can(request.user, Action.ORDER_COMMENT, order) else None,
            "cancel_form": CancelForm()
            if order.state in MEMBER_CANCELLABLE and can(request.user, Action.ORDER_CANCEL, order)
            else None,
        },
    )


def _act(
    request: HttpRequest,
    pk: int,
    action: Action,
    make_form: Callable[[Order], forms.Form],
    perform: Callable[[Order, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One POST on an order: load it (404/403 by ``action``), validate the form, call the service.
    A problem re-shows the order page with the message (status 400); success goes back to the order."""
    order = _visible_order(request, pk, action)
    form = make_form(order)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        perform(order, form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        response = order_detail(request, order.pk)
        response.status_code = 400
        return response
    messages.success(request, done)
    return redirect(order)


@require_POST
@login_required
def order_transition(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.ORDER_HANDLE,
        lambda order: TransitionForm(request.POST, state=order.state),
        lambda order, data: services.order_transition(
            actor=request.user, order=order, to_state=data["to_state"], comment=data["comment"]
        ),
        _("The order has moved on. The member has been told."),
    )


@require_POST
@login_required
def order_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.ORDER_HANDLE,
        lambda order: AssignForm(request.POST),
        lambda order, data: services.order_assign(actor=request.user, order=order, assignee=data["assignee"]),
        _("Assigned."),
    )


@require_POST
@login_required
def order_comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.ORDER_COMMENT,
        lambda order: CommentForm(request.POST),
        lambda order, data: services.order_comment(actor=request.user, order=order, text=data["text"]),
        _("Comment added."),
    )


@require_POST
@login_required
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.ORDER_CANCEL,
        lambda order: CancelForm(request.POST),
        lambda order, data: services.order_cancel_by_member(actor=request.user, order=order, reason=data["reason"]),
        _("The order is withdrawn."),
    )

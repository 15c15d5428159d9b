"""The organisation's API tokens and webhooks: thin pages over integrations.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import Action, get_visible_or_404
from integrations import services
from integrations.forms import EVENT_LABELS, TokenForm, WebhookForm
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from organisations.models import Organisation


def _organisation(request: HttpRequest, org_id: int) -> Organisation:
    return get_visible_or_404(Organisation.objects, request.user, Action.API_TOKENS_MANAGE, pk=org_id)


def _add_errors(form: TokenForm | WebhookForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _create_shown_once(
    request: HttpRequest, form_class: type[forms.Form], create: Callable[..., tuple[Any, str]]
) -> tuple[forms.Form, str | None, int]:
    """Bind the form, call ``create(**cleaned_data)`` and return (form, the secret shown once, status):
    the token and webhook pages make their secret the same way."""
    form = form_class(request.POST or None)
    secret = None
    if request.method == "POST":
        if form.is_valid():
            try:
                _created, secret = create(**form.cleaned_data)
                form = form_class()
            except ValidationError as error:
                _add_errors(form, error)
        if not secret:
            return form, None, 400
    return form, secret, 200


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = _organisation(request, org_id)
    form, secret, status = _create_shown_once(
        request,
        TokenForm,
        lambda **data: services.api_token_create(actor=request.user, organisation=organisation, **data),
    )
    tokens = ApiToken.objects.filter(organisation=organisation).select_related("owner")
    context = {"organisation": organisation, "form": form, "tokens": tokens, "secret": secret}
    return render(request, "integrations/token_list.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, org_id: int, token_id: int) -> HttpResponse:
    organisation = _organisation(request, org_id)
    token = get_object_or_404(ApiToken, pk=token_id, organisation=organisation)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("integrations:token_list", organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = _organisation(request, org_id)
    form, secret, status = _create_shown_once(
        request,
        WebhookForm,
        lambda **data: services.webhook_endpoint_create(actor=request.user, organisation=organisation, **data),
    )
    endpoints = WebhookEndpoint.objects.filter(organisation=organisation)
    context = {
        "organisation": organisation,
        "form": form,
        "endpoints": endpoints,
        "secret": secret,
        "event_labels": EVENT_LABELS,
    }
    return render(request, "integrations/webhook_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, org_id: int, endpoint_id: int) -> HttpResponse:
    organisation = _organisation(request, org_id)
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id, organisation=organisation)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
            messages.success(request, _("The endpoint is deleted."))
            return redirect("integrations:webhook_list", organisation.pk)
        if action not in ("enable", "disable"):
            return HttpResponse(_("Choose what to do."), status=400, content_type="text/plain; charset=utf-8")
        services.webhook_endpoint_set_active(actor=request.user, endpoint=endpoint, active=action == "enable")
        return redirect("integrations:webhook_detail", organisation.pk, endpoint.pk)
    deliveries = endpoint.deliveries.all()[:100]
    context = {"organisation": organisation, "endpoint": endpoint, "deliveries": deliveries}
    return render(request, "integrations/webhook_detail.html", context)


@login_required
@require_POST
def delivery_replay(request: HttpRequest, org_id: int, endpoint_id: int, delivery_id: int) -> HttpResponse:
    organisation = _organisation(request, org_id)
    delivery = get_object_or_404(
        WebhookDelivery, pk=delivery_id, endpoint_id=endpoint_id, endpoint__organisation=organisation
    )
    try:
        services.webhook_delivery_replay(actor=request.user, delivery=delivery)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The event is being sent again."))
    return redirect("integrations:webhook_detail", organisation.pk, endpoint_id)

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.oidc import login_level
from accounts.oidc.providers import get_provider
from accounts.oidc.views import begin, handoff
from core.permissions import Action, get_visible_or_404
from invitations import services
from invitations.forms import InvitationForm
from invitations.models import Invitation
from organisations.models import Organisation

SESSION_TOKEN = "invitation_token"  # noqa: S105 - a session key, not a secret


@login_required
@require_http_methods(["GET", "POST"])
def organisation_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's invitations: invite a person, see who is invited, withdraw."""
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_MANAGE_ROLES, pk=pk)
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _token = services.invitation_create(
                    actor=request.user,
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("An invitation to be %(role)s was sent to %(email)s.")
                    % {"role": invitation.get_role_display().lower(), "email": invitation.email},
                )
                return redirect("invitations:organisation_invitations", pk=organisation.pk)
        status = 400
    invitations = organisation.invitations.select_related("invited_by").order_by("-created_at")[:100]
    context = {"organisation": organisation, "form": form, "invitations": invitations}
    return render(request, "invitations/organisation_invitations.html", context, status=status)


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_MANAGE_ROLES, pk=pk)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, organisation=organisation)
    try:
        services.invitation_withdraw(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("invitations:organisation_invitations", pk=organisation.pk)


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: what it offers, and a button that logs in with ID-porten to accept it."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "invitations/accept_invalid.html", status=404)
    provider = get_provider("idporten")
    if request.method == "POST" and provider is not None:
        request.session[SESSION_TOKEN] = token
        response = begin(request, provider, next_url=reverse("invitations:accept_complete"))
        if response.status_code == 302 and not response["Location"].startswith("/"):
            return handoff(request, provider, response["Location"])
        return response
    return render(request, "invitations/accept.html", {"invitation": invitation, "provider": provider})


@login_required
def accept_complete(request: HttpRequest) -> HttpResponse:
    """Back from ID-porten: the invitation becomes the logged-in person's role."""
    token = request.session.pop(SESSION_TOKEN, None)
    if not token or login_level(request) is None:
        messages.error(request, _("Open the invitation link again and log in with ID-porten to accept it."))
        return redirect("dashboards:home")
    try:
        grant = services.invitation_accept(token=token, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dashboards:home")
    messages.success(
        request,
        _("You are now %(role)s for %(organisation)s.")
        % {"role": grant.get_role_display().lower(), "organisation": grant.organisation},
    )
    return redirect(grant.organisation)

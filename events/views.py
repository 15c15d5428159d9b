from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.permissions import Action, can, require
from events import ical, services
from events.choices import RegistrationStatus
from events.forms import EventForm, RegisterForm
from events.models import Event, Registration
from organisations.models import Organisation


def _events_for(request: HttpRequest) -> object:
    if not request.user.is_authenticated:
        events = Event.objects.public()
    elif can(request.user, Action.ENGAGEMENT_MANAGE):
        events = Event.objects.all()
    else:
        events = Event.objects.published()
    return events.annotate(
        taken=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )


def _own_organisations(user: object) -> object:
    return Organisation.objects.held_by(user).order_by("name")


def event_list(request: HttpRequest) -> HttpResponse:
    """Open to everyone: a visitor who is not logged in sees the public webinars (issue 20)."""
    events = _events_for(request)
    if request.user.is_authenticated:
        mine = Registration.objects.filter(event=OuterRef("pk"), user=request.user).exclude(
            status=RegistrationStatus.CANCELLED
        )
        events = events.annotate(my_status=Subquery(mine.values("status")[:1]))
    return render(
        request,
        "events/event_list.html",
        {
            "upcoming": events.upcoming()[:50],
            "past": events.past()[:20],
            "may_manage": can(request.user, Action.ENGAGEMENT_MANAGE),
        },
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A public webinar is open to everyone; any other event asks a visitor to log in first."""
    if not request.user.is_authenticated and not Event.objects.public().filter(pk=pk).exists():
        return redirect_to_login(request.get_full_path())
    event = get_object_or_404(_events_for(request), pk=pk)
    if not request.user.is_authenticated:
        login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
        return render(request, "events/event_detail.html", {"event": event, "login_url": login_url})
    registration = Registration.objects.filter(event=event, user=request.user).first()
    may_manage = can(request.user, Action.ENGAGEMENT_MANAGE)
    position = None
    if registration and registration.status == RegistrationStatus.WAITLISTED:
        ahead = Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
        position = event.registrations.filter(ahead, status=RegistrationStatus.WAITLISTED).count() + 1
    participants = None
    if may_manage:
        participants = event.registrations.exclude(status=RegistrationStatus.CANCELLED).select_related(
            "user", "organisation"
        )
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "registered": registration is not None and registration.status != RegistrationStatus.CANCELLED,
            "position": position,
            "register_form": RegisterForm(organisations=_own_organisations(request.user)),
            "participants": participants,
            "may_manage": may_manage,
        },
    )


@login_required
@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.published(), pk=pk)
    form = RegisterForm(request.POST, organisations=_own_organisations(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose one of your organisations, or yourself only."))
        return redirect(event)
    try:
        registration = services.event_register(
            actor=request.user, event=event, organisation=form.cleaned_data["organisation"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("You are registered. A confirmation is on its way by e-mail."))
        else:
            messages.success(
                request, _("The event is full. You are on the waiting list and will be told if a place frees up.")
            )
    return redirect(event)


@login_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.published(), pk=pk)
    try:
        services.event_cancel_registration(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


@login_required
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Action.ENGAGEMENT_MANAGE)
    event = get_object_or_404(Event, pk=pk) if pk else None
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(actor=request.user, event=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The event is saved."))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200)


@login_required
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(_events_for(request), pk=pk)
    response = HttpResponse(ical.event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhn-event-{event.pk}.ics"'
    return response


def event_feed(request: HttpRequest) -> HttpResponse:
    """Public subscription feed of published events (no join links: those are for the signed in)."""
    events = Event.objects.published().order_by("starts_at")[:500]
    return HttpResponse(
        ical.feed_ics(events, _("Norsk helsenett: events")), content_type="text/calendar; charset=utf-8"
    )

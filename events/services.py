"""Every write about events: saving an event, registering, cancelling (with promotion from the waiting
list), reminders. Registration locks the event's row, so concurrent registrations never exceed the cap."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.mail import mail_queue
from core.permissions import Action, require
from events.choices import RegistrationStatus
from events.models import Event, Registration

if TYPE_CHECKING:
    from accounts.models import User

REMINDER_AHEAD = dt.timedelta(hours=24)


def _context(**extra: Any) -> dict[str, Any]:
    return {"base_url": settings.PORTAL_BASE_URL, **extra}


@transaction.atomic
def event_save(*, actor: User, event: Event) -> Event:
    """Create or change an event (staff). A larger cap moves people up from the waiting list."""
    require(actor, Action.ENGAGEMENT_MANAGE)
    event.full_clean()
    if event.pk is not None and event.capacity is not None:
        Event.objects.select_for_update().get(pk=event.pk)
        if (taken := _taken(event)) > event.capacity:
            raise ValidationError(
                {
                    "capacity": ngettext(
                        "%(n)s person is registered: the places cannot be fewer.",
                        "%(n)s people are registered: the places cannot be fewer.",
                        taken,
                    )
                    % {"n": taken}
                }
            )
    if event.pk is None:
        event.created_by = actor
    event.save()
    _fill_from_waiting_list(Event.objects.select_for_update().get(pk=event.pk))
    return event


def _taken(event: Event) -> int:
    return event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _fill_from_waiting_list(event: Event) -> list[Registration]:
    """Move people from the waiting list, first come first served, while places are free. The caller
    holds the event's row lock."""
    promoted: list[Registration] = []
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _taken(event)
        if free <= 0:
            return promoted
    waiting = (
        event.registrations.select_for_update().filter(status=RegistrationStatus.WAITLISTED).order_by("queued_at", "pk")
    )
    for registration in waiting if free is None else waiting[:free]:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = timezone.now()
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        mail_queue(
            template="events/email/promoted",
            recipients=[registration.user.email],
            context=_context(event=event, registration=registration),
            key=f"event:{event.pk}:promoted:{registration.pk}:{registration.promoted_at:%Y%m%d%H%M%S%f}",
        )
        promoted.append(registration)
    return promoted


@transaction.atomic
def event_register(*, actor: User, event: Event, organisation: Any | None = None) -> Registration:
    """Register ``actor``: a place while there is one, else the waiting list. Registering again after
    cancelling queues at the back. Raises ValidationError when registration is closed or the event is over."""
    event = Event.objects.select_for_update().get(pk=event.pk)  # serialises registrations for this event
    if not event.is_published or not event.registration_open or event.is_past:
        raise ValidationError(_("Registration for this event is closed."))
    registration = Registration.objects.select_for_update().filter(event=event, user=actor).first()
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        return registration
    full = event.capacity is not None and _taken(event) >= event.capacity
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
    if registration is None:
        registration = Registration(event=event, user=actor)
    registration.organisation = organisation
    registration.status = status
    registration.queued_at = timezone.now()
    registration.promoted_at = None
    registration.save()
    mail_queue(
        template="events/email/registered",
        recipients=[actor.email],
        context=_context(event=event, registration=registration),
        key=f"event:{event.pk}:registered:{registration.pk}:{registration.queued_at:%Y%m%d%H%M%S%f}",
    )
    return registration


@transaction.atomic
def event_cancel_registration(*, actor: User, event: Event) -> list[Registration]:
    """Cancel ``actor``'s place (or place on the waiting list). A freed place goes to the first on the
    waiting list, who is told by e-mail. Returns those promoted."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    registration = Registration.objects.select_for_update().filter(event=event, user=actor).first()
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("You are not registered for this event."))
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    return _fill_from_waiting_list(event)


def event_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind everyone registered for an event that starts within the next 24 hours. Idempotent: the
    outbox key is one per registration and event start, so a second run (or a second worker) sends
    nothing new, and a moved event is reminded again. Returns how many e-mails were queued."""
    now = now or timezone.now()
    queued = 0
    events = Event.objects.published().filter(starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD)
    for event in events:
        registrations = event.registrations.filter(status=RegistrationStatus.CONFIRMED).select_related("user")
        with transaction.atomic():
            for registration in registrations:
                queued += len(
                    mail_queue(
                        template="events/email/reminder",
                        recipients=[registration.user.email],
                        context=_context(event=event, registration=registration),
                        key=f"event:{event.pk}:reminder:{registration.pk}:{event.starts_at:%Y%m%d%H%M}",
                    )
                )
    return queued

"""Every write of the customer centre: support requests and their messages, requests for NHN to attend,
opening hours. Each runs in a transaction and queues its e-mail through the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.mail import mail_queue
from core.permissions import Action, can, require
from support.choices import ACTIVE_STATUSES, AttendanceStatus, RequestStatus
from support.hours import current_hours
from support.models import AttendanceRequest, OpeningHours, SpecialDay, SupportMessage, SupportRequest

if TYPE_CHECKING:
    from accounts.models import User


def _centre_address() -> str:
    return current_hours().email


def _context(**extra: Any) -> dict[str, Any]:
    return {"base_url": settings.PORTAL_BASE_URL, **extra}


@transaction.atomic
def support_request_create(*, actor: User, organisation: Any, subject: str, category: str, body: str) -> SupportRequest:
    """Open a request for ``organisation``. The actor must hold a role there. Queues a receipt to the
    member and a notice to the customer centre."""
    require(actor, Action.SUPPORT_REQUEST_CREATE, organisation)
    if not body.strip():
        raise ValidationError({"body": _("Write your question.")})
    request = SupportRequest(organisation=organisation, created_by=actor, subject=subject.strip(), category=category)
    request.full_clean()
    request.save()
    SupportMessage.objects.create(request=request, author=actor, body=body.strip())
    context = _context(request=request, body=body.strip())
    mail_queue(
        template="support/email/request_received",
        recipients=[actor.email],
        context=context,
        key=f"support:{request.pk}:received",
    )
    mail_queue(
        template="support/email/request_new",
        recipients=[_centre_address()],
        context=context,
        key=f"support:{request.pk}:new",
    )
    return request


@transaction.atomic
def support_message_add(*, actor: User, request: SupportRequest, body: str) -> SupportMessage:
    """Add a message. From an agent it goes to the member who asked (status: waiting for the member);
    from the member to the assigned agent or the centre (a resolved request opens again)."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    require(actor, Action.SUPPORT_REQUEST_VIEW, request)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if request.status == RequestStatus.CLOSED:
        raise ValidationError(_("This request is closed. Open a new one."))
    from_staff = can(actor, Action.SUPPORT_QUEUE)
    message = SupportMessage.objects.create(request=request, author=actor, body=body, from_staff=from_staff)
    if from_staff:
        request.status = RequestStatus.WAITING
        if request.assigned_to_id is None:
            request.assigned_to = actor
        recipients = [request.created_by.email]
        template = "support/email/reply_to_member"
    else:
        if request.status not in ACTIVE_STATUSES or request.status == RequestStatus.WAITING:
            request.status = RequestStatus.OPEN if request.assigned_to_id is None else RequestStatus.IN_PROGRESS
        recipients = [request.assigned_to.email if request.assigned_to else _centre_address()]
        template = "support/email/reply_to_centre"
    request.save(update_fields=["status", "assigned_to", "updated_at"])
    mail_queue(
        template=template,
        recipients=recipients,
        context=_context(request=request, message=message),
        key=f"support:{request.pk}:message:{message.pk}",
    )
    return message


@transaction.atomic
def support_request_manage(
    *, actor: User, request: SupportRequest, status: str, assigned_to: Any | None
) -> SupportRequest:
    """An agent sets the status and who works on the request. The member is told when it is resolved."""
    require(actor, Action.SUPPORT_QUEUE)
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if status not in RequestStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if assigned_to is not None and not can(assigned_to, Action.SUPPORT_QUEUE):
        raise ValidationError({"assigned_to": _("Only customer centre agents can be assigned.")})
    before = {"status": request.status, "assigned_to": request.assigned_to_id}
    request.status = status
    request.assigned_to = assigned_to
    request.save(update_fields=["status", "assigned_to", "updated_at"])
    if status == RequestStatus.RESOLVED and before["status"] != RequestStatus.RESOLVED:
        mail_queue(
            template="support/email/resolved",
            recipients=[request.created_by.email],
            context=_context(request=request),
            key=f"support:{request.pk}:resolved:{timezone.now():%Y%m%d%H%M%S}",
        )
    return request


@transaction.atomic
def opening_hours_save(*, actor: User, hours: OpeningHours) -> OpeningHours:
    require(actor, Action.SUPPORT_HOURS_MANAGE)
    before = OpeningHours.objects.filter(pk=hours.pk).values().first()
    hours.full_clean()
    hours.save()
    audit_record(
        actor=actor,
        action="support.opening_hours_changed",
        obj=hours,
        before={k: str(v) for k, v in (before or {}).items() if k in {"opens", "closes", "weekdays", "phone", "email"}},
        after={
            "opens": str(hours.opens),
            "closes": str(hours.closes),
            "weekdays": str(hours.weekdays),
            "phone": hours.phone,
            "email": hours.email,
        },
    )
    return hours


# --- requests for NHN to attend ------------------------------------------------------------------


@transaction.atomic
def attendance_request_create(*, actor: User, request: AttendanceRequest) -> AttendanceRequest:
    """A member asks NHN to take part; the request must be in the future. Tells the customer centre."""
    require(actor, Action.ATTENDANCE_REQUEST_CREATE, request.organisation)
    if request.starts_at and request.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The time must be in the future.")})
    request.created_by = actor
    request.status = AttendanceStatus.NEW
    request.full_clean()
    request.save()
    mail_queue(
        template="support/email/attendance_new",
        recipients=[_centre_address()],
        context=_context(attendance=request),
        key=f"attendance:{request.pk}:new",
    )
    return request


@transaction.atomic
def attendance_request_answer(
    *, actor: User, request: AttendanceRequest, status: str, answer: str
) -> AttendanceRequest:
    """Staff accept or decline, with an answer the member sees; the member is told by e-mail."""
    require(actor, Action.ENGAGEMENT_MANAGE)
    request = AttendanceRequest.objects.select_for_update().get(pk=request.pk)
    if status not in (AttendanceStatus.ACCEPTED, AttendanceStatus.DECLINED):
        raise ValidationError({"status": _("Choose whether NHN will attend.")})
    if not answer.strip():
        raise ValidationError({"answer": _("Write an answer to the member.")})
    request.status = status
    request.answer = answer.strip()
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    mail_queue(
        template="support/email/attendance_answered",
        recipients=[request.created_by.email],
        context=_context(attendance=request),
        key=f"attendance:{request.pk}:answered:{request.answered_at:%Y%m%d%H%M%S}",
    )
    return request


def _special_day_record(day: SpecialDay) -> dict[str, str]:
    return {
        "date": day.date.isoformat(),
        "closed": str(day.closed),
        "opens": str(day.opens or ""),
        "closes": str(day.closes or ""),
        "note": day.note,
    }


@transaction.atomic
def special_day_save(*, actor: Any, day: SpecialDay) -> SpecialDay:
    """Add or change a special day (closed, or reduced hours); the contact page and "open now" follow."""
    require(actor, Action.SUPPORT_HOURS_MANAGE)
    day.full_clean()
    day.save()
    audit_record(actor=actor, action="support.special_day_saved", obj=day, after=_special_day_record(day))
    return day


@transaction.atomic
def special_day_delete(*, actor: Any, day: SpecialDay) -> None:
    require(actor, Action.SUPPORT_HOURS_MANAGE)
    audit_record(actor=actor, action="support.special_day_deleted", obj=day, before=_special_day_record(day))
    day.delete()

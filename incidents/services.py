"""Write-side rules of incident reports: report, messages both ways, triage, the access log."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import DataKind, record_view
from core.audit import actor_label, audit_record
from core.mail import mail_queue
from core.permissions import Action, can, require
from incidents import storage
from incidents.choices import AccessAction, IncidentStatus
from incidents.models import Incident, IncidentAccessLog, IncidentAttachment, IncidentMessage

if TYPE_CHECKING:
    from accounts.models import User

REPORT_FIELDS = [
    "title",
    "what_happened",
    "discovered_at",
    "affected_systems",
    "personal_data",
    "health_data",
    "ongoing",
    "contact_name",
    "contact_phone",
    "contact_email",
]


def cert_mailbox() -> str:
    return settings.HELSECERT_EMAIL


def _next_reference(now: Any) -> str:
    prefix = f"HD-{timezone.localtime(now).year}-"
    last = (
        Incident.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:04d}"


def _attach(
    *, incident: Incident, message: IncidentMessage | None, files: list[storage.CheckedFile], actor: User
) -> None:
    """Store checked files and their rows. A failure removes the files written so far; callers attach
    last in their transaction, so a later rollback is unlikely to leave an orphan file (which would
    hold no reference and be unreachable through the portal)."""
    if len(files) > storage.MAX_FILES:
        raise ValidationError(_("At most %(n)s files at a time.") % {"n": storage.MAX_FILES})
    stored: list[str] = []
    try:
        for checked in files:
            name = storage.store(checked.content)
            stored.append(name)
            IncidentAttachment.objects.create(
                incident=incident,
                message=message,
                original_name=checked.name,
                stored_name=name,
                content_type=checked.content_type,
                size=len(checked.content),
                sha256=checked.sha256,
                uploaded_by=actor,
                created_at=timezone.now(),
            )
    except Exception:
        for name in stored:
            storage.remove(name)
        raise


@transaction.atomic
def incident_report(
    *, actor: User, organisation: Any, data: dict[str, Any], files: list[storage.CheckedFile]
) -> Incident:
    require(actor, Action.INCIDENT_REPORT, organisation)
    now = timezone.now()
    if data["discovered_at"] > now + dt.timedelta(minutes=5):
        raise ValidationError({"discovered_at": _("The time of discovery cannot be in the future.")})
    incident = Incident(
        organisation=organisation, reported_by=actor, created_at=now, **{k: data[k] for k in REPORT_FIELDS}
    )
    for attempt in range(5):
        incident.reference = _next_reference(now)
        try:
            with transaction.atomic():
                incident.save(force_insert=True)
            break
        except IntegrityError:
            if attempt == 4:
                raise
            incident.pk = None
    audit_record(
        actor=actor,
        action="incident.reported",
        obj=incident,
        organisation_id=organisation.pk,
        after={"reference": incident.reference, "ongoing": incident.ongoing, "attachments": len(files)},
    )
    base = settings.PORTAL_BASE_URL
    mail_queue(
        template="incidents/email/new_incident",
        recipients=[cert_mailbox()],
        context={"incident": incident, "url": base + incident.get_absolute_url()},
        key=f"incident-new:{incident.pk}",
    )
    _attach(incident=incident, message=None, files=files, actor=actor)
    return incident


def _mark_first_response(incident: Incident, actor: User, now: Any) -> None:
    if incident.first_response_at is None:
        incident.first_response_at = now
        incident.first_response_by = actor


@transaction.atomic
def incident_message(
    *, actor: User, incident: Incident, body: str, files: list[storage.CheckedFile]
) -> IncidentMessage:
    require(actor, Action.INCIDENT_VIEW, incident)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    if incident.status == IncidentStatus.CLOSED and not can(actor, Action.INCIDENT_TRIAGE):
        raise ValidationError(_("The incident is closed. Report a new one if something has happened again."))
    from_cert = can(actor, Action.INCIDENT_TRIAGE)
    now = timezone.now()
    message = IncidentMessage.objects.create(
        incident=incident, author=actor, from_cert=from_cert, body=body, created_at=now
    )
    base = settings.PORTAL_BASE_URL
    if from_cert:
        _mark_first_response(incident, actor, now)
        if incident.status == IncidentStatus.RECEIVED:
            incident.status = IncidentStatus.IN_PROGRESS
        incident.save(update_fields=["first_response_at", "first_response_by", "status"])
        recipients = [incident.contact_email, incident.reported_by.email]
    else:
        recipients = [cert_mailbox()]
    mail_queue(
        template="incidents/email/new_message",
        recipients=recipients,
        context={"incident": incident, "url": base + incident.get_absolute_url(), "from_cert": from_cert},
        key=f"incident-message:{message.pk}",
    )
    audit_record(actor=actor, action="incident.message", obj=incident, organisation_id=incident.organisation_id)
    _attach(incident=incident, message=message, files=files, actor=actor)
    return message


@transaction.atomic
def incident_set_status(*, actor: User, incident: Incident, status: str) -> Incident:
    require(actor, Action.INCIDENT_TRIAGE, incident)
    if status not in IncidentStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    before = incident.status
    if before == status:
        return incident
    now = timezone.now()
    incident.status = status
    _mark_first_response(incident, actor, now)
    incident.closed_at = now if status == IncidentStatus.CLOSED else None
    incident.save(update_fields=["status", "first_response_at", "first_response_by", "closed_at"])
    audit_record(
        actor=actor,
        action="incident.status",
        obj=incident,
        organisation_id=incident.organisation_id,
        before={"status": before},
        after={"status": status},
    )
    return incident


def log_access(*, user: Any, incident: Incident, action: str, ip: str | None, detail: str = "") -> None:
    """One row per view or download; never skipped, never merged. An outsider's opening is also an event on the
    organisation's access log (core.access), which merges repeats."""
    if action not in AccessAction.values:
        raise ValueError(action)
    record_view(user, incident, kind=DataKind.INCIDENT, label=f"{incident.reference}: {incident.title}")
    IncidentAccessLog.objects.create(
        incident=incident,
        organisation_id=incident.organisation_id,
        user=user,
        user_label=actor_label(user)[:300],
        action=action,
        detail=detail[:200],
        ip_address=ip or None,
        at=timezone.now(),
    )


def attachment_content(*, user: Any, attachment: IncidentAttachment) -> bytes:
    if not Incident.objects.visible_to(user).filter(pk=attachment.incident_id).exists():
        raise PermissionDenied
    return storage.path_of(attachment.stored_name).read_bytes()

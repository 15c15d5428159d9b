"""Base models shared by the apps."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HttpsURLField(models.URLField[Any, Any]):
    """A URL field whose form field assumes https:// when a person types an address without a scheme."""

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class TimeStampedModel(models.Model):
    """Created and updated times, set by the database layer, never by hand."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def access_to(self, organisation_id: int) -> "AuditEventQuerySet":
        """Outsiders' openings of one organisation's data and refusals on it (core.access), newest first."""
        return self.filter(organisation_id=organisation_id, action__in=("data.viewed", "access.denied")).order_by(
            "-occurred_at", "-id"
        )


class AuditEvent(models.Model):
    """One entry of the tamper-evident audit trail: who did what to which object, when, and why.

    Append-only and hash-chained: each event stores the previous event's hash and a SHA-256 over its
    own canonical content and that hash (core/audit.py). Editing, inserting or deleting a row breaks
    the chain, and `manage.py verify_audit_chain` names the first bad event. The application can
    neither update nor delete an event; on PostgreSQL a trigger refuses it in the database too.
    """

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=300, help_text=_("Name and e-mail at the time."))
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(
        _("request id"), max_length=64, blank=True, default="", help_text=_("The request or task that made it.")
    )
    ip_address = models.GenericIPAddressField(
        _("client address"), null=True, blank=True, help_text=_("Where the request that made it came from.")
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [
            # The audit certificate and the history on an object page: events of one object, in order.
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update"):
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events are append-only.")


class OutboundEmail(models.Model):
    """An e-mail the portal has decided to send: the outbox.

    Written in the same transaction as the change that causes it; a background task delivers it and
    retries on failure. ``key`` names what the mail is about ("reminder:v3:org42:14:user7"), and is
    unique, so the same notice can never be queued twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled: no longer due")

    key = models.CharField(_("key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachment_name = models.CharField(_("attachment"), max_length=200, blank=True)
    attachment = models.BinaryField(_("attachment content"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [
            # The recovery sweep: pending mail older than a few minutes.
            models.Index(fields=["status", "created_at"], name="outbound_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class WorkerHeartbeat(models.Model):
    """A job worker's sign of life. A task still marked running by a worker whose heartbeat is older than
    the lease (TASK_LEASE_SECONDS) was orphaned by a crash, and is handed to another worker (core/workers.py)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    queues = models.CharField(_("queues"), max_length=255)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname}"


class ScheduledRun(models.Model):
    """When the scheduler last started and finished each periodic command (core/schedule.py)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_ok = models.BooleanField(_("last run succeeded"), default=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return self.name

"""What /readyz and the metrics report: database, Redis, the job queue, the outbox, certificates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_redis() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
        client.close()
    except Exception as exc:
        return {"ok": False, "configured": True, "error": type(exc).__name__}
    return {"ok": True, "configured": True}


def queue_state() -> dict[str, dict[str, float]]:
    """Per queue: jobs ready, running and failed, and the age in seconds of the oldest ready job."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    rows = DBTaskResult.objects.values("queue_name").annotate(
        ready=Count("id", filter=Q(status="READY", run_after__lte=now)),
        running=Count("id", filter=Q(status="RUNNING")),
        failed=Count("id", filter=Q(status="FAILED")),
        oldest=Min("enqueued_at", filter=Q(status="READY", run_after__lte=now)),
    )
    state: dict[str, dict[str, float]] = {}
    for row in rows:
        oldest = row["oldest"]
        state[row["queue_name"]] = {
            "ready": row["ready"],
            "running": row["running"],
            "failed": row["failed"],
            "oldest_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
        }
    return state


def outbox_backlog() -> int:
    from core.models import OutboundEmail

    return OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).count()


def _days_left(cert: x509.Certificate) -> int:
    return (cert.not_valid_after_utc - dt.datetime.now(dt.UTC)).days


def certificate_days_left() -> dict[str, Any]:
    """Days until the sealing certificate (and the timestamp authority's, when configured) expire."""
    from lib.pades import SigningConfigurationError
    from lib.pades.keys import load_p12

    result: dict[str, Any] = {}
    try:
        _key, cert, _chain = load_p12(Path(settings.SIGNING_PKCS12_PATH), settings.SIGNING_PKCS12_PASSWORD)
        result["sealing"] = {"ok": _days_left(cert) > 0, "days_left": _days_left(cert)}
    except SigningConfigurationError:
        result["sealing"] = {"ok": False, "error": "unreadable"}
    tsa = settings.TIMESTAMP_CERTIFICATE_PATH
    if tsa:
        try:
            cert = x509.load_pem_x509_certificate(Path(tsa).read_bytes())
            result["timestamp"] = {"ok": _days_left(cert) > 0, "days_left": _days_left(cert)}
        except (OSError, ValueError):
            result["timestamp"] = {"ok": False, "error": "unreadable"}
    return result


def readiness() -> tuple[bool, dict[str, Any]]:
    """Ready means able to serve: the database and Redis answer. The queue, outbox and certificates are
    reported for monitoring but do not take a node out of the load balancer."""
    database = check_database()
    redis_state = check_redis()
    report: dict[str, Any] = {"database": database, "redis": redis_state}
    if database["ok"]:
        queues = queue_state()
        report["queues"] = queues
        report["outbox_backlog"] = outbox_backlog()
    report["certificates"] = certificate_days_left()
    ready = bool(database["ok"] and redis_state["ok"])
    report["status"] = "ready" if ready else "not ready"
    return ready, report

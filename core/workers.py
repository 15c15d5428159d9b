"""Job workers that survive crashes: heartbeats, leases and the reaper.

django-tasks-db claims a task by locking its row (``SELECT … FOR UPDATE SKIP LOCKED``) and marking it
RUNNING with the worker's id; a worker killed mid-task leaves it RUNNING for ever. Here every worker
(``manage.py worker``) records a heartbeat every few seconds, and ``reap_orphaned_tasks`` puts a RUNNING
task back to READY when the worker that claimed it last has not been seen for ``TASK_LEASE_SECONDS``.
A task reaped ``TASK_MAX_CLAIMS`` times (it keeps killing its workers) is marked FAILED instead, and
stays visible to staff in the admin with the other failed tasks.

Reaping runs a task again, so tasks must be idempotent: e-mail delivery is (the outbox row is locked and
checked for PENDING; a repeat after a crash between sending and committing keeps its Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str, queues: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": queues[:255],
            "last_seen": timezone.now(),
        },
    )


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def reap_orphaned_tasks(*, lease: dt.timedelta | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Hand tasks held by dead workers back to the queue (or fail them after TASK_MAX_CLAIMS claims)."""
    from django_tasks_db.models import DBTaskResult

    lease = lease or dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    now = now or timezone.now()
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=now - lease).values_list("worker_id", flat=True))
    requeued = failed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status="RUNNING", started_at__lt=now - lease
        )
        for task in running:
            holder = task.worker_ids[-1] if task.worker_ids else ""
            if holder in alive:
                continue
            if len(task.worker_ids) >= settings.TASK_MAX_CLAIMS:
                task.status = "FAILED"
                task.finished_at = now
                task.exception_class_path = "core.workers.WorkerLost"
                task.traceback = f"The task's worker died {len(task.worker_ids)} times while running it."
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                failed += 1
                logger.error("Task %s failed: its worker died %s times", task.pk, len(task.worker_ids))
            else:
                task.status = "READY"
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                requeued += 1
                logger.warning("Task %s requeued: worker %s stopped beating", task.pk, holder)
    stale = WorkerHeartbeat.objects.filter(last_seen__lt=now - 10 * lease).delete()[0]
    return {"requeued": requeued, "failed": failed, "forgotten_workers": stale}

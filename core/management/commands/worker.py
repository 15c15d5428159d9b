"""``manage.py worker``: django-tasks-db's db_worker with a heartbeat and the reaper of orphaned tasks.

Run one per queue group on as many machines as needed, e.g. ``worker --queue-name email``,
``worker --queue-name default,webhooks``, ``worker --queue-name imports``. A background thread records
the worker's heartbeat every TASK_HEARTBEAT_SECONDS and hands back tasks whose worker died.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core import workers
from core.request_id import request_id_scope

logger = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Run job workers with a heartbeat; tasks of a worker that died are taken up again after a lease."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id: str = options["worker_id"]
        queues: str = options["queue_name"]
        stop = threading.Event()

        def heartbeat() -> None:
            while not stop.is_set():
                try:
                    workers.beat(worker_id, queues)
                    reaped = workers.reap_orphaned_tasks()
                    if reaped["requeued"] or reaped["failed"]:
                        logger.warning("Reaper: %s", reaped)
                except Exception:  # the worker keeps working; the next beat tries again
                    logger.exception("Heartbeat failed")
                finally:
                    close_old_connections()
                stop.wait(settings.TASK_HEARTBEAT_SECONDS)
            connection.close()

        workers.beat(worker_id, queues)
        thread = threading.Thread(target=heartbeat, name="worker-heartbeat", daemon=True)
        thread.start()
        try:
            with request_id_scope(f"worker-{worker_id}"[:64]):
                super().handle(*args, **options)
        finally:
            stop.set()
            thread.join(timeout=5)
            workers.forget(worker_id)

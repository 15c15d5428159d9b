"""Issue 21: a round's thousands of e-mails go out in batches, each over one SMTP connection, instead of a job and a
connection per e-mail; still exactly once, and a failure is retried per e-mail as before."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from core import mail as core_mail
from core.mail import mail_batch, mail_deliver_many, mail_queue
from core.models import OutboundEmail


class Connections:
    """An aiosmtpd handler that counts messages and the connections (client ports) they came over."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.peers: set[Any] = set()
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        with self.lock:
            self.peers.add(session.peer)
            self.recipients += envelope.rcpt_tos
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Any:
    handler = Connections()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 5
    yield handler
    controller.stop()


def queue(n: int, key: str = "note") -> list[OutboundEmail]:
    return mail_queue(
        template="accounts/email/confirm_email",
        recipients=[f"person{n}@example.no"],
        context={"name": "Kari", "url": "https://portal.example/confirm"},
        key=f"{key}:{n}",
        language="nb",
    )


def delivery_tasks() -> list[tuple[str, list[Any]]]:
    return [(t.task_path, t.args_kwargs["args"]) for t in DBTaskResult.objects.order_by("enqueued_at")]


@pytest.mark.django_db
def test_inside_a_batch_committed_mail_is_delivered_by_tasks_of_up_to_size(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), mail_batch(size=3):
        for n in range(7):
            with transaction.atomic():
                queue(n)
    tasks = delivery_tasks()
    pks = list(OutboundEmail.objects.order_by("pk").values_list("pk", flat=True))
    assert tasks == [
        ("core.tasks.deliver_emails", [pks[0:3]]),
        ("core.tasks.deliver_emails", [pks[3:6]]),
        ("core.tasks.deliver_email", [pks[6]]),  # the rest, when the block ends
    ]


@pytest.mark.django_db
def test_mail_of_a_rolled_back_savepoint_joins_no_batch_and_outside_a_batch_each_gets_its_own_task(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), mail_batch(size=10):
        queue(1)
        try:
            with transaction.atomic():
                queue(2)
                raise RuntimeError
        except RuntimeError:
            pass
        queue(3)
    kept = list(OutboundEmail.objects.order_by("pk").values_list("pk", flat=True))
    assert len(kept) == 2
    assert delivery_tasks() == [("core.tasks.deliver_emails", [kept])]

    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        [mail] = queue(4)
    assert delivery_tasks() == [("core.tasks.deliver_email", [mail.pk])]


@pytest.mark.django_db
def test_a_batch_is_sent_over_one_smtp_connection_and_exactly_once(smtp: Connections) -> None:
    pks = [queue(n)[0].pk for n in range(5)]
    assert mail_deliver_many(pks) == {"sent": 5}
    assert mail_deliver_many(pks) == {"skipped": 5}  # a task run twice sends nothing twice
    assert sorted(smtp.recipients) == [f"person{n}@example.no" for n in range(5)]
    assert len(smtp.peers) == 1
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_in_a_batch_a_failure_is_retried_for_that_mail_alone_and_the_next_opens_a_new_connection(
    smtp: Connections, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    pks = [queue(n)[0].pk for n in range(3)]
    real_send = core_mail.EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self: Any, fail_silently: bool = False) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise core_mail.smtplib.SMTPServerDisconnected("gone")
        return int(real_send(self, fail_silently))

    monkeypatch.setattr(core_mail.EmailMultiAlternatives, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail_deliver_many(pks) == {"sent": 2, "retry": 1}
    failed = OutboundEmail.objects.get(pk=pks[1])
    assert (failed.status, failed.attempts) == ("pending", 1) and "gone" in failed.last_error
    assert len(smtp.peers) == 2  # the connection was closed after the failure and a new one opened
    assert [(path, args) for path, args in delivery_tasks()] == [("core.tasks.deliver_email", [pks[1]])]

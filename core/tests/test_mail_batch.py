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


# --- many notices at once (a round's invitations: core.mail.mail_queue_many) --------------------------------------


@pytest.mark.django_db
def test_many_notices_at_once_are_queued_as_one_by_one_in_a_fixed_number_of_queries(
    django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
) -> None:
    from core.mail import Notice, mail_queue_many
    from organisations.tests.factories import OrganisationFactory, UserFactory

    UserFactory(email="english@example.no", language="en")
    nynorsk = OrganisationFactory(name="Nynorsk AS", written_form="nn")
    context = {"name": "Kari", "url": "https://portal.example/confirm"}
    notices = [
        Notice("accounts/email/confirm_email", ["English@example.no", "norsk@example.no"], context, "many:1"),
        Notice("accounts/email/confirm_email", ["a@example.no", "x@no-email.invalid"], context, "many:2"),
        Notice("accounts/email/confirm_email", ["english@example.no"], context, "many:3", organisation=nynorsk),
        Notice("accounts/email/confirm_email", ["b@example.no"], context, "many:4", language="en"),
        Notice("accounts/email/confirm_email", ["before@example.no"], context, "many:5"),
    ]
    mail_queue(template=notices[4].template, recipients=notices[4].recipients, context=context, key="many:5")

    def stored() -> list[tuple[str, ...]]:
        return sorted(OutboundEmail.objects.values_list("key", "to", "subject", "body_text", "body_html", "status"))

    with transaction.atomic():
        one_by_one = [
            mail_queue(
                template=n.template,
                recipients=n.recipients,
                context=n.context,
                key=n.key,
                language=n.language,
                organisation=n.organisation,
            )
            for n in notices
        ]
        expected = stored()
        transaction.set_rollback(True)

    # The keys queued before, the recipients' languages, one insert.
    with django_capture_on_commit_callbacks(execute=True), mail_batch(size=100), django_assert_max_num_queries(3):
        together = mail_queue_many(notices)

    assert stored() == expected
    assert [[m.key for m in queued] for queued in together] == [[m.key for m in q] for q in one_by_one]
    assert [len(queued) for queued in together] == [2, 1, 1, 1, 0]
    assert delivery_tasks() == [("core.tasks.deliver_emails", [sorted(m.pk for q in together for m in q)])]
    subjects = dict(OutboundEmail.objects.values_list("key", "subject"))
    assert subjects == {
        **subjects,
        "many:1:english@example.no": "Confirm your e-mail address for the member portal",  # their own choice
        "many:1:norsk@example.no": "Bekreft e-postadressen din for medlemsportalen",  # the default
        "many:3:english@example.no": "Stadfest e-postadressa di for medlemsportalen",  # the organisation's form
        "many:4:b@example.no": "Confirm your e-mail address for the member portal",  # the caller's
    }

"""Two web nodes, two workers and two schedulers as separate processes on one PostgreSQL and Redis.

One worker is killed with SIGKILL in the middle of 1,000 e-mails to a real SMTP server on loopback:
every e-mail must arrive exactly once (by Message-ID) and the killed worker's task must be taken up
after the lease. A login made on one web node must be valid on the other; a cached figure (the public
status JSON, cached in each node's memory and in Redis) changes on both nodes at once when the data changes
through node A's configuration; only one scheduler acts.
Bounded: each wait gives up after at most 300 seconds (a loaded machine is slow to start processes). Only the e-mail queue is watched: the scheduler's
commands may enqueue jobs of their own on the default queue, which no worker here serves.
"""

from __future__ import annotations

import collections
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.db import connection
from django.db.models import Count
from django_tasks_db.models import DBTaskResult

from core.mail import mail_queue
from core.models import OutboundEmail, ScheduledRun
from core.schedule import TIMETABLE
from core.tasks import deliver_email
from organisations.tests.factories import UserFactory, valid_org_number

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("REDIS_URL_FOR_TESTS", "")
MAILS = int(os.environ.get("MULTINODE_MAILS", "1000"))
PASSWORD = "Multi-node-test-2026"

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several processes need PostgreSQL, not SQLite"),
    pytest.mark.skipif(not REDIS, reason="REDIS_URL_FOR_TESTS is not set"),
    pytest.mark.django_db(transaction=True),
]


class Mailbox:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_nodes_two_workers_one_scheduler_and_a_killed_worker(tmp_path: Path) -> None:
    mailbox = Mailbox()
    smtp_port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PORTAL_ENV": "development",
        "DEBUG": "false",
        "SECRET_KEY": "multi-node-" + "k" * 60,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "TASK_HEARTBEAT_SECONDS": "1",
        "TASK_LEASE_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
        "ENHETSREGISTERET_URL": f"http://127.0.0.1:{_free_port()}/none",  # never the internet
        "AUDIT_ANCHOR_FILE": str(tmp_path / "anchor.json"),
        "PRIVATE_STORAGE_DIR": str(tmp_path / "private"),
    }
    python = sys.executable
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *command: str) -> None:
        log = (tmp_path / f"{name}.log").open("wb")
        processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    try:
        _published_terms_and_a_municipality()
        user = UserFactory(email="multi@example.no")
        user.password = make_password(PASSWORD, hasher=Argon2PasswordHasher())
        user.save(update_fields=["password"])
        ports = [_free_port(), _free_port()]
        gunicorn = str(Path(python).with_name("gunicorn"))
        for index, port in enumerate(ports):
            start(
                f"web{index}",
                gunicorn,
                "portal.wsgi:application",
                *("-b", f"127.0.0.1:{port}", "-w", "1", "--control-socket", str(tmp_path / f"web{index}.ctl")),
            )
        for index in range(2):
            start(f"scheduler{index}", python, "manage.py", "scheduler", "--interval", "1")

        started = time.monotonic()
        (template,) = mail_queue(
            template="advisories/email/contact_missing",
            recipients=["m0@example.no"],
            context={"organisation": user, "url": "https://x"},
            key="multinode:0",
        )
        rows = [
            OutboundEmail(key=f"multinode:{n}", to=f"m{n}@example.no", subject=template.subject, body_text="x")
            for n in range(1, MAILS)
        ]
        for mail in OutboundEmail.objects.bulk_create(rows):
            deliver_email.enqueue(mail.pk)
        queued_in = time.monotonic() - started
        for index in range(2):
            worker = ("manage.py", "worker", "--queue-name", "email", "--interval", "0.1", "--worker-id", f"w{index}")
            start(f"worker{index}", python, *worker)

        email_tasks = DBTaskResult.objects.filter(queue_name="email")
        sent = OutboundEmail.objects.filter(key__startswith="multinode:", status=OutboundEmail.Status.SENT)
        _wait(lambda: sent.count() >= MAILS // 5, 300, "the first fifth of the e-mails")
        # Kill worker 0 while it holds a task (claimed, not finished), so that the lease has to bring it back.
        _wait(lambda: email_tasks.filter(status="RUNNING", worker_ids__contains=["w0"]).exists(), 60, "w0 busy")
        victim = processes["worker0"]
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait(5)
        orphaned = list(DBTaskResult.objects.filter(status="RUNNING").values_list("pk", "worker_ids"))

        try:
            _wait(lambda: sent.count() == MAILS, 300, "every e-mail")
        finally:
            print(
                f"\nsent {sent.count()} of {MAILS}; {time.monotonic() - killed_at:.1f}s after the kill; kill after "
                f"{killed_at - started:.1f}s; tasks: {list(DBTaskResult.objects.values_list('status').annotate(n=Count('id')))}"
            )
        _wait(
            lambda: not (email_tasks.ready().exists() or email_tasks.running().exists()),
            30,
            "an empty queue",
        )
        recovered_in = time.monotonic() - killed_at
        counts = collections.Counter(mailbox.message_ids)
        duplicates = sum(count - 1 for count in counts.values() if count > 1)
        delivered = len(counts)
        print(
            f"\nmultinode: queued {MAILS} in {queued_in:.1f}s; delivered {delivered}, duplicates {duplicates}, "
            f"lost {MAILS - delivered}; worker killed with {len(orphaned)} task(s) running; "
            f"all done {recovered_in:.1f}s after the kill"
        )
        # SMTP has no transactions: a worker killed after the server took a message and before the outbox row
        # was committed makes the next worker send it again, with the same Message-ID, which receivers drop.
        # So: every message delivered, and at most one repeat per task the kill interrupted.
        assert delivered == MAILS
        assert duplicates <= len(orphaned)

        # A login on node 0 is valid on node 1 (sessions in PostgreSQL through Redis).
        _wait(lambda: all(_alive(port) for port in ports), 120, "both web nodes")
        session = requests.Session()
        login_page = session.get(f"http://127.0.0.1:{ports[0]}/accounts/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
        assert token is not None
        response = session.post(
            f"http://127.0.0.1:{ports[0]}/accounts/login/",
            data={"csrfmiddlewaretoken": token.group(1), "username": "multi@example.no", "password": PASSWORD},
            headers={"Referer": f"http://127.0.0.1:{ports[0]}/accounts/login/"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]
        other = session.get(f"http://127.0.0.1:{ports[1]}/accounts/password/", allow_redirects=False, timeout=10)
        assert other.status_code == 200
        anonymous = requests.get(f"http://127.0.0.1:{ports[1]}/accounts/password/", allow_redirects=False, timeout=10)
        assert anonymous.status_code == 302

        # A cached figure: both nodes cache the public figures (in memory and in Redis); a change made
        # through node A's configuration (a new municipality) shows on both at once, with no wait for a TTL.
        def total(port: int) -> int:
            answer = requests.get(f"http://127.0.0.1:{port}/status.json", timeout=10)
            assert answer.status_code == 200, answer.text[:300]
            return int(answer.json()["municipalities"]["total"])

        before = [total(port) for port in ports + ports]  # the second round is served from each node's cache
        assert len(set(before)) == 1
        fresh = {"number": "9998", "name": "Ny kommune", "organisation__org_number": valid_org_number()}
        change = f"from organisations.tests.factories import MunicipalityFactory; MunicipalityFactory(**{fresh!r})"
        subprocess.run([python, "manage.py", "shell", "-c", change], cwd=ROOT, env=env, check=True, timeout=120)
        assert [total(port) for port in ports] == [before[0] + 1, before[0] + 1]

        # One scheduler led: every entry ran once, and only one process says it ran anything.
        _wait(lambda: ScheduledRun.objects.count() == len(TIMETABLE), 60, "the scheduler's first round")
        leaders = [name for name in ("scheduler0", "scheduler1") if b"ran:" in (tmp_path / f"{name}.log").read_bytes()]
        assert len(leaders) == 1
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        controller.stop()
        for log in tmp_path.glob("*.log"):
            tail = log.read_text(errors="replace")[-1500:]
            if "Traceback" in tail or "worker" in log.name:
                print(f"--- {log.name}\n{tail}")


def _published_terms_and_a_municipality() -> None:
    import datetime as dt

    from django.utils import timezone

    from memberships.choices import TermsStatus
    from memberships.models import TermsVersion
    from organisations.tests.factories import MunicipalityFactory

    TermsVersion.objects.create(
        label="M1",
        status=TermsStatus.PUBLISHED,
        membership_terms="Vilkår.",
        data_processing="D.",
        customer_agreement="K.",
        effective_date=dt.date(2030, 4, 1),
        sign_by=dt.date(2030, 3, 31),
        required_forms=["KOMM"],
        published_at=timezone.now(),
        text_sha256="0" * 64,
    )
    MunicipalityFactory()


def _alive(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False

"""The signing round end to end, over a real SMTP server (aiosmtpd on 127.0.0.1) and with a frozen clock.

Publishing sends invitations; `manage.py membership_daily` sends reminders 30, 14, 7 and 1 days before the
deadline (settings.MEMBERSHIP_REMINDER_DAYS) to organisations that have not signed, once per step even when it
runs twice or crashes half-way, and suspends those that let the deadline pass. Delivery is retried when the SMTP
server is down and given up after MAX_ATTEMPTS. Jobs run in the real database worker (`db_worker --batch`).

Three municipalities must sign T2: Ringsaker (A), Bergen (B) and Lillehammer (C), each with one administrator.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket
import threading
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import translation
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from conftest import sign_for
from core import mail as core_mail
from core.models import AuditEvent, OutboundEmail
from memberships import rounds, services
from memberships.choices import MembershipState
from memberships.models import Membership, MembershipTransition, ReminderLog, TermsVersion
from memberships.tests.conftest import sign_version
from organisations.tests.factories import MunicipalityFactory, RoleFactory, UserFactory

OSLO = ZoneInfo("Europe/Oslo")
# Relative to today: sealing needs the test CA (created when the suite first ran on this machine) to be valid.
START = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(9, 0), tzinfo=OSLO)
SIGN_BY = START.date() + dt.timedelta(days=40)
ADMINS = {"admin.a@example.no": "Ringsaker", "admin.b@example.no": "Bergen", "admin.c@example.no": "Lillehammer"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.received: list[tuple[tuple[str, ...], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append((tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def take(self) -> list[tuple[str, str]]:
        """(recipient, subject) of everything received since the last take."""
        with self._lock:
            taken, self.received = self.received, []
        # .strip(): Django folds a long encoded subject as "Subject: \n =?utf-8?…", which the parser reads with a
        # leading space; mail clients trim it.
        return [(rcpt, str(message["Subject"]).strip()) for rcpts, message in taken for rcpt in rcpts]

    def reminders(self) -> list[tuple[str, str]]:
        return [item for item in self.take() if item[1].startswith("Påminnelse")]


@pytest.fixture
def smtp(settings: Any) -> Any:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    mailbox.port = port  # type: ignore[attr-defined]  # set for the test's SMTP server
    yield mailbox
    controller.stop()


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def go_to(clock: Any, days_left: int) -> None:
    """Early morning, ``days_left`` days before the deadline (negative: after it)."""
    clock.move_to(dt.datetime.combine(SIGN_BY - dt.timedelta(days=days_left), dt.time(6, 0), tzinfo=OSLO))


@pytest.fixture
def version(world: Any, terms: Any, clock: Any) -> TermsVersion:
    """Municipality C joins A and B; T2 (municipalities) gets its deadline 40 days ahead."""
    lillehammer = MunicipalityFactory(number="3405", name="Lillehammer").organisation
    RoleFactory(
        user=UserFactory(email="admin.c@example.no", full_name="Cecilie C"), organisation=lillehammer, role="admin"
    )
    world.extra["org_c"] = lillehammer
    TermsVersion.objects.filter(pk=terms.draft.pk).update(sign_by=SIGN_BY, effective_date=dt.date(2027, 3, 1))
    terms.draft.refresh_from_db()
    return terms.draft


@pytest.fixture
def publish(world: Any, version: TermsVersion, django_capture_on_commit_callbacks: Any, run_worker: Any) -> Any:
    def _publish() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.terms_publish(actor=world["membership_manager"], version=version)
        run_worker()

    return _publish


@pytest.fixture
def daily(django_capture_on_commit_callbacks: Any, run_worker: Any) -> Any:
    """What the scheduler does each morning: membership_daily, and the worker it feeds."""

    def _daily() -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("membership_daily", stdout=out)
        run_worker()
        return out.getvalue()

    return _daily


def steps_taken(version: TermsVersion) -> dict[str, set[str]]:
    taken: dict[str, set[str]] = {}
    for name, step in ReminderLog.objects.filter(terms_version=version).values_list("organisation__name", "step"):
        taken.setdefault(name, set()).add(step)
    return taken


def reminder_subject(org: str, days: int) -> str:
    return f"Påminnelse: {org} har {days} {'dag' if days == 1 else 'dager'} igjen til å signere medlemsvilkårene"


def reminders_for(days: int, admins: dict[str, str] = ADMINS) -> list[tuple[str, str]]:
    return sorted((address, reminder_subject(org, days)) for address, org in admins.items())


# --- invitations ---------------------------------------------------------------------------------------------------


def test_publishing_delivers_an_invitation_in_norwegian_over_smtp_to_each_administrator(
    world: Any, version: TermsVersion, smtp: Mailbox, publish: Any
) -> None:
    publish()

    received = list(smtp.received)
    assert sorted((rcpts, str(m["Subject"]).strip()) for rcpts, m in received) == [
        (("admin.a@example.no",), "Signer medlemsvilkårene T2 for Ringsaker"),
        (("admin.b@example.no",), "Signer medlemsvilkårene T2 for Bergen"),
        (("admin.c@example.no",), "Signer medlemsvilkårene T2 for Lillehammer"),
    ]
    for rcpts, message in received:
        org = {"Ringsaker": world.org_a, "Bergen": world.org_b}.get(ADMINS[rcpts[0]], world.extra["org_c"])
        assert message["From"] == "Medlemsportal <medlemsportal@localhost>"
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f"http://testserver/memberships/organisations/{org.pk}/sign/" in text
        with translation.override("nb"):
            assert date_format(SIGN_BY, "j. F Y") in text
    assert set(OutboundEmail.objects.values_list("status", "attempts", "sent_at")) == {("sent", 1, START)}
    assert {m.state for m in Membership.objects.all()} == {MembershipState.INVITED}


# --- reminders -----------------------------------------------------------------------------------------------------


def test_reminders_go_out_30_14_7_and_1_days_before_only_to_unsigned_organisations_once_per_step(
    world: Any, version: TermsVersion, smtp: Mailbox, publish: Any, daily: Any, clock: Any
) -> None:
    publish()
    smtp.take()

    go_to(clock, 30)
    daily()
    assert sorted(smtp.reminders()) == reminders_for(30)
    daily()  # the scheduler runs it again the same day
    assert smtp.take() == []
    go_to(clock, 29)
    daily()
    assert smtp.take() == []

    sign_version(world.org_b, version, world["admin_b"])
    unsigned = {address: org for address, org in ADMINS.items() if org != "Bergen"}
    for days in (14, 7, 1):
        go_to(clock, days)
        daily()
        assert sorted(smtp.reminders()) == reminders_for(days, unsigned), days
        daily()
        assert smtp.take() == []

    go_to(clock, 0)
    daily()
    assert smtp.take() == []
    assert steps_taken(version) == {
        "Ringsaker": {"invitation", "30", "14", "7", "1"},
        "Bergen": {"invitation", "30"},
        "Lillehammer": {"invitation", "30", "14", "7", "1"},
    }
    reminder_mails = OutboundEmail.objects.filter(subject__startswith="Påminnelse")
    assert reminder_mails.count() == 3 + 3 * 2
    assert Counter(reminder_mails.values_list("to", "subject")).most_common(1)[0][1] == 1
    assert set(reminder_mails.values_list("status", flat=True)) == {"sent"}


def test_when_the_job_has_not_run_for_weeks_only_the_nearest_step_goes_out(
    world: Any, version: TermsVersion, smtp: Mailbox, publish: Any, daily: Any, clock: Any
) -> None:
    publish()
    smtp.take()

    go_to(clock, 6)
    daily()

    assert sorted(smtp.reminders()) == reminders_for(6)
    assert steps_taken(version) == {org: {"invitation", "7"} for org in ADMINS.values()}
    go_to(clock, 5)
    daily()
    assert smtp.take() == []
    go_to(clock, 1)
    daily()
    assert sorted(smtp.reminders()) == reminders_for(1)


def test_a_run_that_crashes_half_way_is_finished_by_the_next_run_and_nobody_gets_a_reminder_twice(
    world: Any,
    version: TermsVersion,
    smtp: Mailbox,
    publish: Any,
    daily: Any,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    run_worker: Any,
) -> None:
    publish()
    smtp.take()
    go_to(clock, 14)
    queued: list[str] = []

    def crash_on_the_second_organisation(notices: Any) -> Any:
        queued.extend(notice.key for notice in notices)
        if len(queued) == 2:
            raise OSError("No space left on device")
        return core_mail.mail_queue_many(notices)

    with monkeypatch.context() as patch:
        patch.setattr(rounds, "INVITATION_BATCH", 1)  # organisations are reminded in batches: one each here
        patch.setattr(rounds, "mail_queue_many", crash_on_the_second_organisation)
        with pytest.raises(OSError, match="No space left"), django_capture_on_commit_callbacks(execute=True):
            call_command("membership_daily", stdout=io.StringIO())
    run_worker()

    assert len(queued) == 2
    assert steps_taken(version) == {
        "Ringsaker": {"invitation", "14"},
        "Bergen": {"invitation"},
        "Lillehammer": {"invitation"},
    }
    assert smtp.reminders() == [("admin.a@example.no", reminder_subject("Ringsaker", 14))]

    daily()

    assert sorted(smtp.reminders()) == [
        ("admin.b@example.no", reminder_subject("Bergen", 14)),
        ("admin.c@example.no", reminder_subject("Lillehammer", 14)),
    ]
    assert steps_taken(version) == {org: {"invitation", "14"} for org in ADMINS.values()}
    assert OutboundEmail.objects.filter(subject__startswith="Påminnelse").count() == 3


@pytest.mark.parametrize("days", [[10, 3]])
def test_the_reminder_days_come_from_the_settings(
    world: Any, version: TermsVersion, publish: Any, daily: Any, clock: Any, settings: Any, days: list[int]
) -> None:
    settings.MEMBERSHIP_REMINDER_DAYS = days
    publish()

    taken = []
    for days_left in (30, 14, 10, 7, 3, 1):
        go_to(clock, days_left)
        daily()
        taken.append(sorted(steps_taken(version)["Ringsaker"] - {"invitation"}))

    assert taken == [[], [], ["10"], ["10"], ["10", "3"], ["10", "3"]]


def test_an_organisation_that_signed_the_current_terms_is_not_reminded_of_the_older_version_they_replace(
    world: Any, version: TermsVersion, publish: Any, daily: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The version "Older" (municipalities and AS) is due 45 days after START; T2 (municipalities) replaces it for
    municipalities a day later, due 40 days after START. Ringsaker signs T2."""
    manager = world["membership_manager"]
    older = services.terms_save_draft(
        actor=manager,
        version=TermsVersion(
            label="Older",
            membership_terms="Eldre vilkår.",
            data_processing="D.",
            customer_agreement="K.",
            effective_date=SIGN_BY + dt.timedelta(days=30),
            sign_by=SIGN_BY + dt.timedelta(days=5),
            required_forms=["KOMM", "AS"],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.terms_publish(actor=manager, version=older)
    clock.shift(dt.timedelta(days=1))
    publish()
    assert TermsVersion.objects.current_for("KOMM") == version
    assert TermsVersion.objects.current_for("AS") == older
    sign_version(world.org_a, version, world["admin_a"])

    go_to(clock, 25)  # Older: 30 days left; T2: 25 days left
    daily()

    reminded = set(
        ReminderLog.objects.exclude(step="invitation").values_list("organisation__name", "terms_version__label", "step")
    )
    assert ("Ringsaker", "Older", "30") not in reminded, "reminded to sign the terms that its signed T2 replaced"
    # Bergen Legesenter AS has nobody to reach (no contact, no e-mail): no reminder is recorded for it.
    assert reminded == {("Bergen", "T2", "30"), ("Lillehammer", "T2", "30")}
    assert not OutboundEmail.objects.filter(to="admin.a@example.no", subject__startswith="Påminnelse").exists()
    assert OutboundEmail.objects.filter(to="admin.b@example.no", subject__startswith="Påminnelse").count() == 1


def test_a_reminder_whose_delivery_is_retried_is_not_delivered_after_the_organisation_has_signed(
    world: Any,
    version: TermsVersion,
    smtp: Mailbox,
    publish: Any,
    daily: Any,
    clock: Any,
    settings: Any,
    run_worker: Any,
) -> None:
    publish()
    smtp.take()
    go_to(clock, 7)
    settings.EMAIL_PORT = free_port()  # the SMTP server is unreachable this morning
    daily()
    sign_version(world.org_a, version, world["admin_a"])
    settings.EMAIL_PORT = smtp.port  # type: ignore[attr-defined]  # set for the test's SMTP server
    clock.shift(dt.timedelta(minutes=2))

    run_worker()

    assert "admin.a@example.no" not in [address for address, _subject in smtp.reminders()]


# --- the deadline --------------------------------------------------------------------------------------------------


def test_after_the_deadline_unsigned_memberships_are_suspended_and_signed_ones_stay_active(
    world: Any, terms: Any, version: TermsVersion, smtp: Mailbox, publish: Any, daily: Any, clock: Any
) -> None:
    sign_for(world, terms, world.org_a, world["admin_a"])  # A is a member under T1: T2 makes it re-sign
    publish()
    sign_version(world.extra["org_c"], version, UserFactory(email="signer.c@example.no"))
    states = dict(Membership.objects.values_list("organisation__name", "state"))
    assert states == {"Ringsaker": "must_resign", "Bergen": "invited", "Lillehammer": "active"}

    go_to(clock, 0)
    daily()
    assert dict(Membership.objects.values_list("organisation__name", "state")) == states
    smtp.take()

    go_to(clock, -1)
    daily()

    assert dict(Membership.objects.values_list("organisation__name", "state")) == {
        "Ringsaker": "suspended",
        "Bergen": "suspended",
        "Lillehammer": "active",
    }
    suspensions = MembershipTransition.objects.filter(to_state=MembershipState.SUSPENDED)
    assert {(t.membership.organisation.name, t.from_state) for t in suspensions} == {
        ("Ringsaker", "must_resign"),
        ("Bergen", "invited"),
    }
    assert {t.reason for t in suspensions} == {f"Fristen {SIGN_BY:%d.%m.%Y} gikk ut uten at vilkårene T2 ble signert"}
    assert {t.terms_version for t in suspensions} == {version}
    assert AuditEvent.objects.filter(action="membership.transition", after__state="suspended").count() == 2
    assert smtp.reminders() == []  # no reminder after the deadline

    transitions = MembershipTransition.objects.count()
    daily()
    assert MembershipTransition.objects.count() == transitions

    sign_version(world.org_b, version, world["admin_b"])  # signing late opens access again
    assert Membership.objects.get(organisation=world.org_b).state == MembershipState.ACTIVE


# --- delivery ------------------------------------------------------------------------------------------------------


def deliveries(pk: int) -> list[DBTaskResult]:
    """The jobs that tried to deliver ``pk``: the round's batch (one SMTP connection for the round's e-mails,
    its outcome counted per kind), then a job per retry."""
    batches = DBTaskResult.objects.filter(task_path="core.tasks.deliver_emails").order_by("enqueued_at")
    retries = DBTaskResult.objects.filter(task_path="core.tasks.deliver_email", args_kwargs__args=[pk])
    return [t for t in batches if pk in t.args_kwargs["args"][0]] + list(retries.order_by("enqueued_at"))


def test_when_smtp_is_down_the_mail_waits_and_a_retry_is_scheduled_then_it_is_delivered_when_smtp_is_back(
    world: Any, version: TermsVersion, smtp: Mailbox, publish: Any, clock: Any, settings: Any, run_worker: Any
) -> None:
    settings.EMAIL_PORT = free_port()  # nothing listens there

    publish()

    mails = list(OutboundEmail.objects.order_by("pk"))
    assert len(mails) == 3
    for outbound in mails:
        assert (outbound.status, outbound.attempts, outbound.sent_at) == ("pending", 1, None)
        assert outbound.last_error.startswith("ConnectionRefusedError")
        assert outbound.next_attempt_at == START + dt.timedelta(minutes=1)
        first, retry = deliveries(outbound.pk)
        assert (first.status, first.return_value) == ("SUCCESSFUL", {"retry": 3})
        assert retry.status == "READY"
        assert retry.run_after == outbound.next_attempt_at
        assert retry.run_after > START
    run_worker()  # the retry is not due yet
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
    assert smtp.take() == []

    settings.EMAIL_PORT = smtp.port  # type: ignore[attr-defined]  # set for the test's SMTP server
    clock.shift(dt.timedelta(minutes=1, seconds=1))
    run_worker()

    assert sorted(address for address, _subject in smtp.take()) == sorted(ADMINS)
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("sent", 2)}
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_after_max_attempts_the_mail_is_marked_failed_and_no_more_retries_are_scheduled(
    world: Any, version: TermsVersion, publish: Any, daily: Any, clock: Any, settings: Any, run_worker: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    publish()
    history = [sorted(OutboundEmail.objects.values_list("status", "attempts"))]

    for delay in core_mail.RETRY_DELAYS:
        clock.shift(delay + dt.timedelta(seconds=1))
        run_worker()
        history.append(sorted(OutboundEmail.objects.values_list("status", "attempts")))

    assert history == [[("pending", n)] * 3 for n in range(1, core_mail.MAX_ATTEMPTS)] + [
        [("failed", core_mail.MAX_ATTEMPTS)] * 3
    ]
    for outbound in OutboundEmail.objects.all():
        assert outbound.last_error.startswith("ConnectionRefusedError")
        tasks = deliveries(outbound.pk)
        assert len(tasks) == core_mail.MAX_ATTEMPTS
        assert [t.return_value for t in tasks] == [{"retry": 3}] + ["retry"] * (core_mail.MAX_ATTEMPTS - 2) + ["failed"]
    assert not DBTaskResult.objects.filter(status="READY").exists()

    clock.shift(dt.timedelta(days=1))
    daily()  # the stale-mail sweep leaves failed mail alone
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("failed", core_mail.MAX_ATTEMPTS)}
    assert DBTaskResult.objects.filter(task_path="core.tasks.deliver_email").count() == 3 * (core_mail.MAX_ATTEMPTS - 1)
    assert DBTaskResult.objects.filter(task_path="core.tasks.deliver_emails").count() == 1

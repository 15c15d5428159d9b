"""Publishing a terms version to every organisation that must sign it, measured end to end (issue 21, part 2).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/publish.py [--count 70000] --write

At national scale (bench/load.py: the 357 municipalities and seed_scale's enterprises), a membership manager
publishes a new terms version through the real page (gunicorn, production settings): the POST of the publish
form is timed until it answers. Then two job workers (``manage.py worker``) invite every organisation and
deliver the invitations through the outbox to a real SMTP server on loopback (bench/smtp_sink.py, aiosmtpd),
which counts each message per recipient and per Message-ID. While they work, two keep-alive clients keep
asking for the status dashboard and the terms page's progress poll (0.2 s between rounds).

``--count`` organisations are invited: the first of seed_scale's enterprises (by id) stay active in the
register, the rest are marked deleted for the run and restored after, and organisations without an e-mail
address get one of their own (``post@<number>.bench.test``, once), so that each invited organisation gets
at least one message.

The floor, in the same run: the very same messages (read back from the outbox and built as the outbox
builds them) sent by one ``smtplib`` connection in a loop to a fresh sink. Reported: the publish answer's
time, the delivery rate (messages received from the moment of publishing to the last one) against the
floor's, messages received, lost and sent twice, and the pages' p95 during delivery.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    PYTHON,
    ROOT,
    database_url,
    ensure_database,
    free_port,
    load_average,
    machine,
    prepare,
    server_env,
    start_server,
    wait_for_port,
    warm_up,
    write_block,
)

COOKIE = re.compile(r"(__Host-[a-z]+|csrftoken|sessionid)=([^;]+)")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EXPECTED_INPUT = re.compile(r'name="expected" value="(\d+)"')


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile in ms (nearest rank); nan when there is none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class Sink:
    """bench/smtp_sink.py as a child process, and its figures."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.status = Path(tempfile.mkdtemp(prefix="bench-sink-")) / "status.json"
        self.process = subprocess.Popen(
            [PYTHON, "bench/smtp_sink.py", f"--port={self.port}", f"--status={self.status}"], cwd=ROOT, env=env
        )
        wait_for_port(self.port)

    def figures(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.status.read_text()))
        except (OSError, ValueError):
            return {"messages": 0}

    def stop(self) -> dict[str, Any]:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        return self.figures()


class Browser:
    """One keep-alive HTTP client with the staff session's cookie and the CSRF cookie it is given."""

    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.cookies = {"__Host-sessionid": session}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "nb",
        }
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            found = COOKIE.match(header)
            if found:
                self.cookies[found.group(1)] = found.group(2)
        return response.status, text


def poll_pages(port: int, session: str, paths: list[str], stop: threading.Event, out: dict[str, list[float]]) -> None:
    """Keep asking for each of ``paths`` in turn until ``stop``: the latencies per path."""
    browser = Browser(port, session)
    while not stop.is_set():
        for path in paths:
            started = time.perf_counter()
            try:
                status, _text = browser.request("GET", path)
            except (OSError, http.client.HTTPException):
                browser = Browser(port, session)
                continue
            if status in (200, 286):
                out.setdefault(path, []).append(time.perf_counter() - started)
            else:
                out.setdefault(f"{path} errors", []).append(status)
        stop.wait(0.2)  # a person at a page; the progress bar itself polls every 2 s


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def set_up_round(count: int) -> tuple[Any, list[int]]:
    """A new draft version, ``count`` organisations to invite (the rest of the scale enterprises marked
    deleted until ``restore``), an e-mail address for each. Returns the draft and the organisations hidden."""
    from django.db import connection
    from django.db.models import F, Value
    from django.db.models.functions import Concat
    from django.utils import timezone

    from memberships.models import TermsVersion
    from memberships.rounds import invitation_preview
    from organisations.choices import RegisterStatus, Source
    from organisations.models import Organisation

    Organisation.objects.filter(email="").update(email=Concat(Value("post@"), F("org_number"), Value(".bench.test")))
    latest = TermsVersion.objects.published().order_by("-published_at").first()
    if latest is None:
        raise SystemExit("No published terms: load the data first (without --skip-seed).")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    today = timezone.localdate()
    draft = TermsVersion.objects.create(
        label=f"bench-{stamp}",
        membership_terms=latest.membership_terms,
        data_processing=latest.data_processing,
        customer_agreement=latest.customer_agreement,
        effective_date=today + dt.timedelta(days=30),
        sign_by=today + dt.timedelta(days=60),
        required_forms=list(latest.required_forms),
    )
    scale = Organisation.objects.filter(source=Source.DEMO, org_number__startswith="92").order_by("pk")
    others, _unreachable = invitation_preview(draft)
    others -= scale.filter(register_status=RegisterStatus.ACTIVE, form__in=draft.required_forms).count()
    keep = max(count - others, 0)
    hidden = list(
        scale.filter(register_status=RegisterStatus.ACTIVE, form__in=draft.required_forms).values_list("pk", flat=True)
    )[keep:]
    Organisation.objects.filter(pk__in=hidden).update(register_status=RegisterStatus.DELETED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisations_organisation")
    return draft, hidden


def restore(hidden: list[int]) -> None:
    from organisations.choices import RegisterStatus
    from organisations.models import Organisation

    Organisation.objects.filter(pk__in=hidden).update(register_status=RegisterStatus.ACTIVE)


def start_workers(env: dict[str, str], count: int, timeout: float = 120) -> list[subprocess.Popen[bytes]]:
    """Start the job workers and return once each has said it is polling ("Starting worker"), their output
    passed on. (Under load a worker needs several seconds to start: publishing before they are ready would
    count their start-up in the delivery time.)"""
    workers, ready = [], []
    for n in range(count):
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "worker", "--queue-name=default,email", "--interval=0.2", f"--worker-id=bench-{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        started = threading.Event()

        def relay(stream: Any, started: threading.Event = started) -> None:
            for line in iter(stream.readline, b""):
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
                if b"Starting worker" in line:
                    started.set()

        threading.Thread(target=relay, args=(worker.stdout,), daemon=True).start()
        workers.append(worker)
        ready.append(started)
    deadline = time.monotonic() + timeout
    for started in ready:
        started.wait(max(0.0, deadline - time.monotonic()))
    return workers


def outbox_figures(version_id: int) -> dict[str, int]:
    from django.db.models import Count

    from core.models import OutboundEmail

    rows = (
        OutboundEmail.objects.filter(key__startswith=f"invitation:{version_id}:")
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {status: n for status, n in rows}


def floor(version_id: int, env: dict[str, str]) -> dict[str, float]:
    """The same messages, built as the outbox builds them, sent by one smtplib connection to a fresh sink."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives

    from core.mail import _headers
    from core.models import OutboundEmail

    started = time.perf_counter()
    envelopes = []
    for mail in OutboundEmail.objects.filter(key__startswith=f"invitation:{version_id}:").order_by("pk").iterator():
        message = EmailMultiAlternatives(
            subject=mail.subject,
            body=mail.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.to],
            headers=_headers(mail),
        )
        if mail.body_html:
            message.attach_alternative(mail.body_html, "text/html")
        envelopes.append((message.from_email, [mail.to], message.message().as_bytes(linesep="\r\n")))
    built = time.perf_counter() - started
    sink = Sink(env)
    try:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            for sender, recipients, data in envelopes:
                smtp.sendmail(sender, recipients, data)
        seconds = time.perf_counter() - started
    finally:
        figures = sink.stop()
    return {
        "messages": len(envelopes),
        "received": figures.get("messages", 0),
        "seconds": seconds,
        "rate": len(envelopes) / seconds if seconds else float("nan"),
        "build_seconds": built,
    }


def publish(port: int, session: str, version_id: int) -> tuple[float, int, int]:
    """The membership manager's publish, as the page does it: (seconds until the answer, status, expected)."""
    browser = Browser(port, session)
    status, page = browser.request("GET", f"/memberships/terms/{version_id}/")
    token = CSRF_INPUT.search(page)
    expected = EXPECTED_INPUT.search(page)
    if status != 200 or token is None or expected is None:
        raise SystemExit(f"the terms page did not offer publishing (HTTP {status})")
    body = {"csrfmiddlewaretoken": token.group(1), "confirm": "on", "expected": expected.group(1)}
    started = time.perf_counter()
    answer, _text = browser.request("POST", f"/memberships/terms/{version_id}/publish/", body)
    return time.perf_counter() - started, answer, int(expected.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=70_000, help="organisations to invite (at least ~400)")
    parser.add_argument("--workers", type=int, default=2, help="job workers (manage.py worker)")
    parser.add_argument("--enterprises", type=int, default=70_000)
    parser.add_argument("--agreements", type=int, default=500_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="give up on delivery after this many seconds")
    parser.add_argument("--skip-seed", action="store_true", help="the database is loaded already")
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args()

    ensure_database(database_url())
    sink = Sink({**os.environ})  # a port for the product's sink, chosen before the server's environment
    env = server_env(EMAIL_PORT=str(sink.port))
    server: subprocess.Popen[bytes] | None = None
    hidden: list[int] = []
    workers: list[subprocess.Popen[bytes]] = []
    stop = threading.Event()
    latencies: dict[str, list[float]] = {}
    pollers: list[threading.Thread] = []
    try:  # whatever fails, the sink, the server and the workers stop and the hidden organisations come back
        if not args.skip_seed:
            prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
        warm_up(env)
        django_setup(env)
        from dashboard import staff_session

        session = staff_session(env)
        draft, hidden = set_up_round(args.count)
        pages = ["/status/", f"/memberships/terms/{draft.pk}/invitations/"]
        server_port = free_port()
        server = start_server(env, server_port, 2)
        workers = start_workers(env, args.workers)  # returns when they poll
        load_start = load_average()
        started = time.time()
        seconds, status, expected = publish(server_port, session, draft.pk)
        if status != 302:
            raise SystemExit(f"publishing answered HTTP {status}")
        pollers = [
            threading.Thread(target=poll_pages, args=(server_port, session, pages, stop, latencies)) for _ in range(2)
        ]
        for thread in pollers:
            thread.start()
        deadline = time.monotonic() + args.timeout
        done_at = None
        while time.monotonic() < deadline:
            time.sleep(1)
            draft.refresh_from_db(fields=["invitations_done_at"])
            outbox = outbox_figures(draft.pk)
            received = sink.figures().get("messages", 0)
            print(f"{time.time() - started:6.0f} s: outbox {outbox}, received {received}", flush=True)
            if draft.invitations_done_at and not outbox.get("pending") and received >= sum(outbox.values()):
                done_at = time.time()
                break
        stop.set()
        for thread in pollers:
            thread.join()
        load_end = load_average()
    finally:
        stop.set()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        received_figures = sink.stop()
        if hidden:
            restore(hidden)
    draft.refresh_from_db()
    outbox = outbox_figures(draft.pk)
    queued = sum(outbox.values())
    counts: dict[str, int] = received_figures.get("message_id_counts", {})
    from core.models import OutboundEmail

    invitations = OutboundEmail.objects.filter(key__startswith=f"invitation:{draft.pk}:")
    ids = {f"<outbox-{pk}@" for pk in invitations.values_list("pk", flat=True)}
    mine = {key: n for key, n in counts.items() if key.split("@")[0] + "@" in ids}
    lost = len(ids) - len(mine)
    duplicated = sum(n - 1 for n in mine.values() if n > 1)
    received_figures["invitations"] = sum(mine.values())
    last = received_figures.get("last") or time.time()
    delivery_seconds = last - started
    rate = received_figures["invitations"] / delivery_seconds if delivery_seconds > 0 else float("nan")
    fan_out = (draft.invitations_done_at - draft.published_at).total_seconds() if draft.invitations_done_at else None
    base = floor(draft.pk, env)
    report = report_text(
        args=args,
        expected=expected,
        publish_seconds=seconds,
        queued=queued,
        outbox=outbox,
        received=received_figures,
        lost=lost,
        duplicated=duplicated,
        rate=rate,
        delivery_seconds=delivery_seconds,
        fan_out=fan_out,
        finished=done_at is not None,
        base=base,
        latencies=latencies,
        pages=pages,
        loads=(load_start, load_end),
    )
    print(report)
    if args.write:
        command = f"DATABASE_URL=… .venv/bin/python bench/publish.py --count {args.count} --write"
        write_block("publish", "Publishing to 70,000 organisations", command, report)


def report_text(**f: Any) -> str:
    base = f["base"]
    share = 100 * f["rate"] / base["rate"]
    received = f["received"]
    lines = [
        f"Machine: {machine()}; load average at the start: {f['loads'][0]}, at the end: {f['loads'][1]} "
        "(a shared machine: other work ran at the same time).",
        f"Portal: gunicorn 2 workers × 4 threads, production settings, PostgreSQL, Redis; {f['args'].workers} job "
        "workers (`manage.py worker --queue-name=default,email`); SMTP: aiosmtpd on loopback (bench/smtp_sink.py).",
        f"Organisations invited: {f['expected']:,} (the page's count when publishing); invitation e-mails queued in "
        f"the outbox: {f['queued']:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(f['outbox'].items()))}).",
        "",
        "| figure | measured | target |",
        "|---|---:|---|",
        f"| publish: the form's POST until its answer | {f['publish_seconds'] * 1000:.0f} ms | < 1 s: "
        f"{'met' if f['publish_seconds'] < 1 else '**not met**'} |",
        f"| every organisation invited (fan-out: published → the job's last organisation) | {f['fan_out']:.0f} s |  |"
        if f["fan_out"] is not None
        else "| fan-out | did not finish |  |",
        f"| delivered: published → last message received | {f['delivery_seconds']:.0f} s |  |",
        f"| delivery rate | {f['rate']:.0f} messages/s |  |",
        f"| floor: the same {base['messages']:,} messages, one smtplib connection | {base['rate']:.0f} messages/s "
        f"({base['seconds']:.1f} s; building them took {base['build_seconds']:.1f} s more, not counted) |  |",
        f"| delivery rate / floor | {share:.0f} % | ≥ 50 %: {'met' if share >= 50 else '**not met**'} |",
        f"| invitations received (by Message-ID) | {received.get('invitations', 0):,} of {f['queued']:,} |  |",
        f"| lost (queued, never received) | {f['lost']:,} | 0: {'met' if f['lost'] == 0 else '**not met**'} |",
        f"| received twice or more (same Message-ID) | {f['duplicated']:,} | 0: "
        f"{'met' if f['duplicated'] == 0 else '**not met**'} |",
    ]
    for path in f["pages"]:
        values = f["latencies"].get(path, [])
        errors = len(f["latencies"].get(f"{path} errors", []))
        lines.append(
            f"| `{path}` during delivery: p50 / p95 ({len(values)} requests, {errors} errors) | "
            f"{percentile(values, 0.5):.0f} / {percentile(values, 0.95):.0f} ms | "
            f"{'p95 < 100 ms' if path == '/status/' else ''} |"
        )
    if not f["finished"]:
        lines.append("")
        lines.append("**Delivery did not finish within the time limit.**")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

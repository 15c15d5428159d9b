"""The API benchmark: the member lookup and the member list's first page, served by gunicorn on PostgreSQL
loaded by seed_scale, against the trivial view of the same app on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medlemsportal_bench .venv/bin/python bench/api.py

Same conditions as bench/dashboard.py (whose helpers it uses): production settings, 2 gunicorn workers ×
4 threads, Redis, 16 keep-alive connections from this process, each URL warmed up then driven for
--duration seconds. Calls carry a national token made with `manage.py api_token create --national`; the
per-token rate limit is raised for the run (its Redis counter is still kept on every request). Targets
(issue 17): the lookup ≥ 80 % of the trivial view's throughput with p95 < 20 ms; the list ≥ 50 %.
``--write`` puts the results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import subprocess
import threading
import time
from pathlib import Path

import dashboard
from dashboard import PYTHON, ROOT, SERVER_ENV, Result, ensure_database, free_port, machine, manage, prepare

API_ENV = {**SERVER_ENV, "API_RATE_LIMIT_PER_MINUTE": "100000000", "REDIS_URL": "redis://127.0.0.1:6379/6"}


def token_and_member(env: dict[str, str]) -> tuple[str, str]:
    token = subprocess.run(
        [PYTHON, "manage.py", "api_token", "create", "--national", "--description", "bench/api.py"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    code = (
        "from memberships.models import Membership;"
        "print(Membership.objects.filter(state='active', organisation__org_number__isnull=False)"
        ".order_by('pk').values_list('organisation__org_number', flat=True)[200])"
    )
    orgnr = (
        subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # Django's shell first says what it imported
    return token, orgnr


def drive(port: int, path: str, token: str, *, connections: int, seconds: float) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "nb"}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                    continue
            except (OSError, http.client.HTTPException):
                failed += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), errors[0], latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--agreements", type=int, default=500_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is created when missing).")
    # Production settings since the accounts change also need the national-id key (any value here).
    env = {
        **os.environ,
        **API_ENV,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "NATIONAL_ID_HMAC_KEY": secrets.token_urlsafe(48),
    }
    ensure_database(url)
    if not args.skip_seed:
        prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
    manage("migrate", "--noinput", "-v0", env={**env, "PORTAL_ENV": "development"})
    manage("shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    token, orgnr = token_and_member(env)
    pages = [
        ("trivial view (/healthz)", "/healthz"),
        ("member lookup", f"/api/v1/members/{orgnr}"),
        ("member list, first page (50)", "/api/v1/members/"),
        ("trivial view (/healthz), again", "/healthz"),
    ]
    port = free_port()
    server = dashboard.start_server(env, port, args.workers)
    results = []
    try:
        for name, path in pages:
            drive(port, path, token, connections=args.connections, seconds=2)
            started = time.monotonic()
            count, errors, latencies = drive(port, path, token, connections=args.connections, seconds=args.duration)
            results.append(Result(name, path, count, errors, time.monotonic() - started, latencies))
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline = (results[0].rps + results[-1].rps) / 2
    lines = [
        f"Machine: {machine()}",
        f"Server: gunicorn, {args.workers} workers × 4 threads, production settings, PostgreSQL, Redis; "
        f"load: {args.connections} keep-alive connections from a second process, {args.duration:.0f} s per URL; "
        "a national token.",
        "",
        f"Share of trivial: against the mean of the trivial view's two runs ({baseline:.0f} requests/s).",
        "",
        "| URL | requests/s | share of trivial | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} (`{r.path}`) | {r.rps:.0f} | {100 * r.rps / baseline:.0f} % | "
            f"{r.percentile(0.5):.1f} | {r.percentile(0.95):.1f} | {r.errors} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.write:
        write(report)


def write(report: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = "<!-- api:start -->", "<!-- api:end -->"
    command = (
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/medlemsportal_bench .venv/bin/python bench/api.py --write"
    )
    block = f"{start}\n_Last run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}:_ `{command}`\n\n{report}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += f"\n## The member-service API: lookup and member list (issue 17)\n\n{block}\n"
    Path(path).write_text(text)


if __name__ == "__main__":
    main()

"""The pages benchmark: the status dashboard, the organisation list (filtered and sorted), the header's
organisation search and its type-ahead, and the public status page, served by gunicorn on PostgreSQL
loaded by seed_scale, against a trivial view of the same app on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/dashboard.py --write

The database is created when missing, migrated and loaded at national scale once (bench/load.py; about
ten minutes the first time, later runs find it there). Load comes from this process (16 client threads
with keep-alive connections by default), the server is a separate gunicorn process (2 workers × 4
threads, Redis cache and sessions). Each URL is warmed up, then driven for --duration seconds; we report
requests/s and p50/p95 latency, and each page's throughput as a share of the trivial view's.
``--write`` puts the results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    PYTHON,
    ROOT,
    TRIVIAL,
    Result,
    database_url,
    drive,
    ensure_database,
    free_port,
    machine,
    prepare,
    run_pages,
    server_env,
    start_server,
    table,
    warm_up,
    write_block,
)

PAGES = [
    ("status dashboard", "/status/"),
    ("organisation list, ENK sorted by name", "/organisations/?form=ENK&sort=name"),
    ("organisation search, results page", "/find/?q=bodo"),
    ("organisation search, type-ahead", "/find/suggestions/?q=fjord"),
    ("public status page", "/public/status/"),
]
# (share of the trivial view's throughput in %, p95 in ms): issues 5 and 21.
TARGETS: dict[str, tuple[float, float | None]] = {
    "/status/": (50, 100),
    "/organisations/?form=ENK&sort=name": (50, 100),
    "/find/?q=bodo": (50, 100),
    "/find/suggestions/?q=fjord": (70, 50),
}


def staff_session(env: dict[str, str]) -> str:
    """A signed-in session for the demo membership manager, second factor passed, made the way Django's
    login and django-otp make one."""
    code = """
import django, os
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
user = get_user_model().objects.get(email="nils@demo.medlemsportal.no")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "accounts.backends.PortalBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s[DEVICE_ID_SESSION_KEY] = next(devices_for_user(user)).persistent_id  # staff passed the second factor
s.create()
print(s.session_key)
"""
    out = subprocess.run(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per page (after 2 s of warm-up)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (4 threads each)")
    parser.add_argument("--enterprises", type=int, default=70_000)
    parser.add_argument("--agreements", type=int, default=500_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--skip-seed", action="store_true", help="the database is loaded already")
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    parser.add_argument(
        "--compare-cache",
        action="store_true",
        help="instead of the pages: the trivial view and the dashboard under each default-cache backend "
        "(bench/settings_cache.py), alternating, --rounds times; prints the comparison (issue 14)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --compare-cache")
    args = parser.parse_args()

    env = server_env()
    ensure_database(database_url())
    if not args.skip_seed:
        prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
    warm_up(env)
    cookie = f"__Host-sessionid={staff_session(env)}"
    if args.compare_cache:
        print(compare_cache(env, cookie, args))
        return
    results = run_pages(
        env,
        PAGES,
        {"Cookie": cookie, "Accept-Language": "nb"},
        workers=args.workers,
        connections=args.connections,
        seconds=args.duration,
    )
    report = table(
        results,
        server=f"gunicorn, {args.workers} workers × 4 threads, production settings, PostgreSQL, Redis; "
        f"load: {args.connections} keep-alive connections from a second process, {args.duration:.0f} s per "
        "page; signed in as a membership manager.",
        targets=TARGETS,
    )
    print(report)
    if args.write:
        command = "DATABASE_URL=… .venv/bin/python bench/dashboard.py --write"
        write_block("pages", "Pages (status dashboard, organisation list and search, public status)", command, report)


def compare_cache(env: dict[str, str], cookie: str, args: argparse.Namespace) -> str:
    """The trivial view and the dashboard served with each default-cache backend, alternating the backends round
    by round so that the machine's drift falls on both alike (core.cache was replaced on this measurement)."""
    variants = ["django", "shared-client"]
    pages = [TRIVIAL, PAGES[0]]
    headers = {"Cookie": cookie, "Accept-Language": "nb"}
    results: dict[tuple[str, str], list[Result]] = {}
    for round_ in range(args.rounds):
        for variant in variants if round_ % 2 == 0 else list(reversed(variants)):
            variant_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_cache", "BENCH_CACHE_BACKEND": variant}
            port = free_port()
            server = start_server(variant_env, port, args.workers)
            try:
                for name, path in pages:
                    drive(port, path, headers, connections=args.connections, seconds=2)
                    started = time.monotonic()
                    count, errors, latencies = drive(
                        port, path, headers, connections=args.connections, seconds=args.duration
                    )
                    result = Result(name, path, count, errors, time.monotonic() - started, latencies)
                    results.setdefault((variant, path), []).append(result)
                    print(f"round {round_ + 1} {variant:13} {name}: {result.rps:.0f} requests/s", flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)
    lines = [
        f"Machine: {machine()}",
        f"{args.rounds} rounds × {args.duration:.0f} s per page and backend, {args.connections} connections, "
        f"{args.workers} workers × 4 threads.",
        "",
        "| backend | page | requests/s (each round) | total requests/s | share of trivial | p50 ms | p95 ms | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for variant in variants:
        trivial = results[(variant, TRIVIAL[1])]
        trivial_rps = sum(r.requests for r in trivial) / sum(r.seconds for r in trivial)
        for name, path in pages:
            runs = results[(variant, path)]
            merged = Result(name, path, sum(r.requests for r in runs), sum(r.errors for r in runs),
                            sum(r.seconds for r in runs), [x for r in runs for x in r.latencies])  # fmt: skip
            lines.append(
                f"| {variant} | {name} | {', '.join(f'{r.rps:.0f}' for r in runs)} | {merged.rps:.0f} | "
                f"{100 * merged.rps / trivial_rps:.0f} % | {merged.percentile(0.5):.1f} | "
                f"{merged.percentile(0.95):.1f} | {merged.errors} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

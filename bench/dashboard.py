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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    PYTHON,
    ROOT,
    database_url,
    ensure_database,
    prepare,
    run_pages,
    server_env,
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
    args = parser.parse_args()

    env = server_env()
    ensure_database(database_url())
    if not args.skip_seed:
        prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
    warm_up(env)
    cookie = f"__Host-sessionid={staff_session(env)}"
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


if __name__ == "__main__":
    main()

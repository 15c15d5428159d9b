"""The API benchmark: the member lookup and the member list's first page, served by gunicorn on PostgreSQL
loaded by seed_scale, against the trivial view of the same app on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/api.py --write

Same conditions and driver as bench/dashboard.py (bench/load.py): production settings, 2 gunicorn
workers × 4 threads, Redis, 16 keep-alive connections from this process, each URL warmed up then driven
for --duration seconds. Calls carry a national token made with `manage.py api_token create --national`;
the per-token rate limit is raised for the run (its Redis counter is still kept on every request).
Targets (issue 17): the lookup ≥ 80 % of the trivial view's throughput with p95 < 20 ms; the list ≥ 50 %.
The trivial view (``/healthz``) passes a person's middleware; the API's calls pass the API's own, lighter
stack (core/stacks.py), so the report also gives each call's share of the trivial view served through
the API's stack (``/api/bench/trivial``, bench-only). ``--write`` puts the results in docs/benchmarks.md.
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
    shell,
    table,
    warm_up,
    write_block,
)

API_TRIVIAL = "/api/bench/trivial"  # as bench/urls_floor.py serves it (that module needs Django; this one does not)


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
    return token, shell(code, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--enterprises", type=int, default=70_000)
    parser.add_argument("--agreements", type=int, default=500_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    env = server_env(API_RATE_LIMIT_PER_MINUTE="100000000")
    ensure_database(database_url())
    if not args.skip_seed:
        prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
    warm_up(env)
    token, orgnr = token_and_member(env)
    lookup, listing = f"/api/v1/members/{orgnr}", "/api/v1/members/"
    api_trivial = ("trivial view through the API's stack (bench-only)", API_TRIVIAL)
    results = run_pages(
        env,
        [api_trivial, ("member lookup", lookup), ("member list, first page (50)", listing)],
        {"Authorization": f"Bearer {token}", "Accept-Language": "nb"},
        workers=args.workers,
        connections=args.connections,
        seconds=args.duration,
    )
    report = table(
        results,
        server=f"gunicorn, {args.workers} workers × 4 threads, production settings, PostgreSQL, Redis; "
        f"load: {args.connections} keep-alive connections from a second process, {args.duration:.0f} s per URL; "
        "a national token.",
        targets={lookup: (80, 20), listing: (50, None)},
    )
    rps = {r.path: r.rps for r in results}
    api_floor = rps[API_TRIVIAL]
    report += (
        f"\n\nAgainst the trivial view through the API's own middleware stack ({api_floor:.0f} requests/s, "
        f"the same stack as the calls): the lookup {100 * rps[lookup] / api_floor:.0f} %, "
        f"the list {100 * rps[listing] / api_floor:.0f} %."
    )
    print(report)
    if args.write:
        command = "DATABASE_URL=… .venv/bin/python bench/api.py --write"
        write_block("api", "The member-service API: lookup and member list (issue 17)", command, report)


if __name__ == "__main__":
    main()

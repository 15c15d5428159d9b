"""`make bench`: every benchmark in bench/, one after another, each figure written into docs/benchmarks.md
with the machine, the command and the floor of the same run.

    .venv/bin/python bench/run.py            # DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench

1. pages (bench/dashboard.py): creates, migrates and loads the database at national scale the first time;
2. the member-service API (bench/api.py) on the same database;
3. publishing terms to every organisation that must sign (bench/publish.py: the publish page, two job
   workers, the outbox and a counting SMTP server on loopback; ``--publish-count``, default 70,000);
4. signing under load (bench/sign.py: 32 signatories at once through gunicorn, three rounds);
5. sealing an agreement (bench/sealing.py, in-process with a local timestamp authority);
6. failed logins, existing against unknown account (bench/login_timing.py, in-process);
7. the Enhetsregisteret import (bench/enhetsregisteret.py) into a database of its own, ``<name>_register``,
   since it replaces the imported organisations.

The HTTP benchmarks run the production profile: gunicorn, PostgreSQL, Redis (BENCH_REDIS_URL, default
db 8). ``--only pages,api`` runs a part.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import DEFAULT_DATABASE_URL, PYTHON, ROOT, ensure_database, load_average, machine, write_block

STEPS = ("pages", "api", "publish", "sign", "sealing", "login", "register")
# The portal's log lines (the in-process benchmarks run Django, which logs to standard output).
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


def run(name: str, command: list[str], env: dict[str, str]) -> tuple[float, str]:
    print(f"== {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    sys.stdout.write(done.stdout)
    if done.returncode:
        raise SystemExit(f"{name} failed (exit {done.returncode})")
    report = "\n".join(line for line in done.stdout.splitlines() if not LOG_LINE.match(line))
    return time.monotonic() - started, report


def register_database(url: str) -> str:
    parsed = urlparse(url)
    return parsed._replace(path=f"{parsed.path.rstrip('/')}_register").geturl()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(STEPS), help=f"a comma-separated part of {','.join(STEPS)}")
    parser.add_argument("--duration", default="15", help="seconds per URL in the HTTP benchmarks")
    parser.add_argument("--publish-count", default="70000", help="organisations invited by bench/publish.py")
    args = parser.parse_args()
    steps = [s for s in args.only.split(",") if s]
    if unknown := set(steps) - set(STEPS):
        raise SystemExit(f"unknown steps: {', '.join(sorted(unknown))}")
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    env = {**os.environ, "DATABASE_URL": url}
    load_before = load_average()
    started = time.monotonic()
    timings: list[tuple[str, float]] = []
    if "pages" in steps:
        seconds, _out = run("pages", [PYTHON, "bench/dashboard.py", "--write", "--duration", args.duration], env)
        timings.append(("pages (bench/dashboard.py; includes loading the data the first time)", seconds))
    if "api" in steps:
        command = [PYTHON, "bench/api.py", "--write", "--duration", args.duration]
        if "pages" in steps:
            command.append("--skip-seed")
        seconds, _out = run("api", command, env)
        timings.append(("member-service API (bench/api.py)", seconds))
    seeded = "pages" in steps or "api" in steps
    if "publish" in steps:
        command = [PYTHON, "bench/publish.py", "--write", "--count", args.publish_count]
        if seeded:
            command.append("--skip-seed")
        seconds, _out = run("publish", command, env)
        timings.append((f"publishing to {int(args.publish_count):,} organisations (bench/publish.py)", seconds))
        seeded = True
    if "sign" in steps:
        command = [PYTHON, "bench/sign.py", "--write"]
        if seeded:
            command.append("--skip-seed")
        seconds, _out = run("sign", command, env)
        timings.append(("signing under load (bench/sign.py)", seconds))
    if "sealing" in steps:
        seconds, out = run("sealing", [PYTHON, "bench/sealing.py", "--count", "30"], env)
        write_block("sealing", "Sealing an agreement", ".venv/bin/python bench/sealing.py --count 30", out.strip())
        timings.append(("sealing (bench/sealing.py)", seconds))
    if "login" in steps:
        seconds, out = run("login", [PYTHON, "bench/login_timing.py", "--rounds", "30"], env)
        command = ".venv/bin/python bench/login_timing.py --rounds 30"
        write_block("login", "Failed logins", command, f"```\n{out.strip()}\n```")
        timings.append(("failed logins (bench/login_timing.py)", seconds))
    if "register" in steps:
        register = register_database(url)
        ensure_database(register)
        register_env = {**env, "DATABASE_URL": register, "PORTAL_ENV": "development"}
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=register_env, check=True)
        seconds, out = run("register", [PYTHON, "bench/enhetsregisteret.py", "--reuse"], register_env)
        command = "DATABASE_URL=…_register .venv/bin/python bench/enhetsregisteret.py --reuse"
        write_block("register", "Enhetsregisteret bulk import", command, out.strip())
        timings.append(("Enhetsregisteret import (bench/enhetsregisteret.py)", seconds))
    total = time.monotonic() - started
    lines = [
        f"Machine: {machine()}",
        f"Load average (1, 5, 15 min) before: {load_before}; after: {load_average()}",
        "",
        "| benchmark | wall time |",
        "|---|---:|",
        *(f"| {name} | {seconds / 60:.1f} min |" for name, seconds in timings),
        f"| **all** | **{total / 60:.1f} min** |",
    ]
    report = "\n".join(lines)
    print(report)
    write_block("make-bench", "`make bench`", f"make bench  # DATABASE_URL={url.split('@')[-1]}", report)


if __name__ == "__main__":
    main()

"""Benchmark of the Enhetsregisteret bulk import (issue 7).

Generates a synthetic enheter_alle.json.gz (default 1,170,000 units, the size of the real file),
then, each in its own child process so that wall time and peak RSS are measured per phase:

1. the floor: a bare streaming parse of the file (gzip + ijson's C backend, every unit read);
2. the import (``manage.py import_enhetsregisteret --force``) into the database of DATABASE_URL,
   from a state with no imported units (cold: every relevant unit is inserted);
3. the same import again (warm: every unit is compared, nothing changes).

Peak RSS comes from os.wait4() of each child (ru_maxrss). Run from the repository root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enhetsregisteret_bench \\
        .venv/bin/python bench/enhetsregisteret.py [--count 1170000] [--path var/bench/enheter_alle.json.gz] [--reuse]

The database must be migrated; the reference data is loaded by the benchmark if missing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

BARE_PARSE = """
import gzip, sys, ijson
backend = ijson.get_backend("yajl2_c")
n = 0
with gzip.open(sys.argv[1], "rb") as handle:
    for _unit in backend.items(handle, "item", use_float=True):
        n += 1
print(n)
"""

RESET = """
from django.db import connection
with connection.cursor() as c:
    for sql in [
        "DELETE FROM enhetsregisteret_followup",
        "DELETE FROM enhetsregisteret_registerentry",
        "DELETE FROM enhetsregisteret_importcheckpoint",
        "DELETE FROM organisations_organisation WHERE source = 'enhetsregisteret'",
    ]:
        c.execute(sql)
from organisations.models import Municipality
if not Municipality.objects.exists():
    from organisations.reference import load_reference_data
    load_reference_data()
"""

COUNT = """
from organisations.models import Organisation
from enhetsregisteret.models import RegisterEntry
print(Organisation.objects.count(), RegisterEntry.objects.filter(must_be_member=True).count())
"""


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stdout) of a child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{stdout}\n{stderr}")
    return wall, usage.ru_maxrss // 1024, stdout.strip()


def shell(code: str, env: dict[str, str]) -> str:
    return run([PYTHON, "manage.py", "shell", "-c", code], env)[2]


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}, {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_170_000)
    parser.add_argument("--path", type=Path, default=ROOT / "var" / "bench" / "enheter_alle.json.gz")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Use the file at --path if it exists (same --count).")
    args = parser.parse_args()
    env = dict(os.environ)
    database = env.get("DATABASE_URL", "sqlite (default)")
    if not database.startswith("postgres"):
        print("Note: DATABASE_URL is not PostgreSQL; the targets are for PostgreSQL.", file=sys.stderr)
    args.path.parent.mkdir(parents=True, exist_ok=True)

    if not (args.reuse and args.path.exists()):
        wall, _rss, _out = run(
            [
                PYTHON,
                "manage.py",
                "make_synthetic_register",
                "--count",
                str(args.count),
                "--seed",
                str(args.seed),
                str(args.path),
            ],
            env,
        )
        print(f"generated {args.count} units in {wall:.1f} s", flush=True)
    size = args.path.stat().st_size

    shell(RESET, env)
    parse_wall, parse_rss, parsed = run([PYTHON, "-c", BARE_PARSE, str(args.path)], env)
    assert int(parsed) == args.count, parsed
    print(f"bare parse: {parse_wall:.1f} s, peak RSS {parse_rss} MiB, load {load()}", flush=True)

    command = [PYTHON, "manage.py", "import_enhetsregisteret", "--quiet", "--force", str(args.path)]
    cold_wall, cold_rss, cold_out = run(command, env)
    print(f"import (cold): {cold_wall:.1f} s, peak RSS {cold_rss} MiB, load {load()}: {cold_out}", flush=True)
    warm_wall, warm_rss, warm_out = run(command, env)
    print(f"import (warm): {warm_wall:.1f} s, peak RSS {warm_rss} MiB, load {load()}: {warm_out}", flush=True)
    # The floor again, after the imports: on a shared machine the load changes within a run, so the
    # ratio is taken against the mean of the two parses.
    parse_wall_2, _rss, _out = run([PYTHON, "-c", BARE_PARSE, str(args.path)], env)
    print(f"bare parse again: {parse_wall_2:.1f} s, load {load()}", flush=True)
    parse_wall = (parse_wall + parse_wall_2) / 2
    organisations, must = shell(COUNT, env).split()[-2:]

    rows = [
        ("bare parse (gzip + ijson yajl2_c), mean of 2", parse_wall, parse_rss),
        ("import, cold (inserts)", cold_wall, cold_rss),
        ("import, warm (nothing changes)", warm_wall, warm_rss),
    ]
    print()
    print(f"Machine: {machine()}")
    print(f"Database: {database.split('@')[-1]}")
    print(
        f"File: {args.count} units, {size / 1e6:.0f} MB gzipped; "
        f"organisations stored: {organisations} ({must} must be members)"
    )
    print()
    print("| phase | wall time | units/s | peak RSS | × bare parse |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds, rss in rows:
        print(f"| {name} | {seconds:.1f} s | {args.count / seconds:,.0f} | {rss} MiB | {seconds / parse_wall:.2f} |")
    ok = cold_wall < 60 * args.count / 1_170_000 and cold_rss < 300 and cold_wall <= 1.5 * parse_wall
    print()
    print(
        f"Targets (scaled to {args.count} units: < {60 * args.count / 1_170_000:.0f} s, < 300 MiB, ≤ 1.5× parse): "
        f"{'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()

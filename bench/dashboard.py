"""The pages benchmark: the status dashboard, the organisation list (filtered and sorted) and the public
status page, served by gunicorn on PostgreSQL loaded by seed_scale, against a trivial view of the same
app on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/medlemsportal_bench .venv/bin/python bench/dashboard.py

The script creates the database when missing, migrates it and loads the scale data once (about ten
minutes the first time; later runs find it there). Load comes from this process (16 client threads with
keep-alive connections by default), the server is a separate gunicorn process. Each URL is warmed up,
then driven for --duration seconds; we report requests/s and p50/p95 latency, and each page's throughput
as a share of the trivial view's. ``--write`` puts the results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SERVER_ENV = {
    "PORTAL_ENV": "production",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_HOST": "127.0.0.1",
    "SIGNING_PKCS12_PASSWORD": "demo-signing-password",
    "DATABASE_CONN_MAX_AGE": "60",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
    # What production settings require (as `make check-deploy` gives them); the demo CA seals.
    "SIGNING_PKCS12_PATH": str(ROOT / "var" / "signing" / "signing.p12"),
    "PORTAL_BASE_URL": "https://127.0.0.1",
    "PRIVATE_STORAGE_DIR": str(Path(tempfile.gettempdir()) / "medlemsportal-bench-private"),  # outside the code
    "OTP_WEBAUTHN_RP_ID": "127.0.0.1",
    "OTP_WEBAUTHN_ALLOWED_ORIGINS": "https://127.0.0.1",
}
PAGES = [
    ("trivial view (/healthz)", "/healthz"),
    ("status dashboard", "/status/"),
    ("organisation list, ENK sorted by name", "/organisations/?form=ENK&sort=name"),
    ("public status page", "/public/status/"),
]


@dataclass
class Result:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist (trust auth, as on the CI machine)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    code = f"""
import psycopg
with psycopg.connect({admin!r}, autocommit=True) as c:
    if not c.execute("select 1 from pg_database where datname=%s", [{name!r}]).fetchone():
        c.execute('create database "{name}"')
"""
    subprocess.run([PYTHON, "-c", code], check=True)


def prepare(env: dict[str, str], *, enterprises: int, agreements: int, audit_events: int) -> None:
    dev = {**env, "PORTAL_ENV": "development"}
    manage("migrate", "--noinput", "-v0", env=dev)
    manage("ensure_signing_certificate", env=dev)
    manage("load_reference_data", env=dev)
    manage("load_service_catalogue", env=dev)
    manage("seed_demo", env=dev)
    manage(
        "seed_scale",
        f"--enterprises={enterprises}",
        f"--agreements={agreements}",
        f"--audit-events={audit_events}",
        env=dev,
    )


def staff_session(env: dict[str, str]) -> str:
    """A signed-in session for the demo membership manager, made the way Django's login and django-otp's
    verification make one."""
    code = """
import django, os
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(email="nils@demo.medlemsportal.no")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "accounts.backends.PortalBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
# NHN staff pass a second factor: the session names the demo persona's confirmed TOTP device.
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
s[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--worker-class=gthread", "--threads=4",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120  # a loaded machine starts slowly
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def drive(port: int, path: str, cookie: str, *, connections: int, seconds: float) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "nb"})
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


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} CPU ({cpu}), {memory:.0f} GiB RAM, {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per page (after 2 s of warm-up)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (4 threads each)")
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--agreements", type=int, default=500_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--skip-seed", action="store_true", help="the database is loaded already")
    parser.add_argument("--write", action="store_true", help="write the results into docs/benchmarks.md")
    parser.add_argument(
        "--compare-cache",
        action="store_true",
        help="instead of the pages: the trivial view and the dashboard under each default-cache backend "
        "(bench/settings_cache.py), alternating, --rounds times; prints the comparison",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --compare-cache")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is created when missing).")
    env = {
        "TIMESTAMP_AUTHORITY_URL": "http://127.0.0.1:8010/",  # seed_demo seals (make run starts this TSA)
        **os.environ,
        **SERVER_ENV,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "NATIONAL_ID_HMAC_KEY": secrets.token_urlsafe(48),
    }
    ensure_database(url)
    if not args.skip_seed:
        prepare(env, enterprises=args.enterprises, agreements=args.agreements, audit_events=args.audit_events)
    # Fresh planner statistics, as autovacuum keeps them in production (right after a bulk load the
    # planner would otherwise take 50,000 rows for a handful).
    manage("shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)  # production serves hashed static files
    cookie = f"__Host-sessionid={staff_session(env)}"
    if args.compare_cache:
        compare_cache(env, cookie, args)
        return
    port = free_port()
    server = start_server(env, port, args.workers)
    results = []
    try:
        # The trivial view is driven first and again last: on a shared machine its throughput drifts
        # within a run, so each page is compared with the mean of the two.
        for name, path in [*PAGES, (f"{PAGES[0][0]}, again", PAGES[0][1])]:
            drive(port, path, cookie, connections=args.connections, seconds=2)
            started = time.monotonic()
            count, errors, latencies = drive(port, path, cookie, connections=args.connections, seconds=args.duration)
            results.append(Result(name, path, count, errors, time.monotonic() - started, latencies))
    finally:
        server.terminate()
        server.wait(timeout=30)

    baseline = (results[0].rps + results[-1].rps) / 2
    lines = [
        f"Machine: {machine()}",
        f"Server: gunicorn, {args.workers} workers × 4 threads, production settings, PostgreSQL; "
        f"load: {args.connections} keep-alive connections from a second process, {args.duration:.0f} s per page.",
        "",
        f"Share of trivial: against the mean of the trivial view's two runs ({baseline:.0f} requests/s).",
        "",
        "| page | requests/s | share of trivial | p50 ms | p95 ms | errors |",
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
        write(report, args)


def compare_cache(env: dict[str, str], cookie: str, args: argparse.Namespace) -> None:
    """The trivial view and the dashboard served with each default-cache backend, alternating the
    backends round by round so that the shared machine's drift falls on both alike."""
    variants = ["django", "shared-client"]
    pages = [PAGES[0], PAGES[1]]
    results: dict[tuple[str, str], list[Result]] = {}
    for round_ in range(args.rounds):
        for variant in variants if round_ % 2 == 0 else reversed(variants):
            variant_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_cache", "BENCH_CACHE_BACKEND": variant}
            port = free_port()
            server = start_server(variant_env, port, args.workers)
            try:
                for name, path in pages:
                    drive(port, path, cookie, connections=args.connections, seconds=2)
                    started = time.monotonic()
                    count, errors, latencies = drive(
                        port, path, cookie, connections=args.connections, seconds=args.duration
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
        trivial = results[(variant, PAGES[0][1])]
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
    lines += ["", "In-process (Django's test client, one request at a time, median of each run):", ""]
    for round_ in range(args.rounds):
        for variant in variants if round_ % 2 == 0 else reversed(variants):
            lines.append(f"- round {round_ + 1}, {variant}: {in_process(env, cookie, variant)}")
    print("\n".join(lines))


def in_process(env: dict[str, str], cookie: str, variant: str, requests: int = 300) -> str:
    """The dashboard's median and p95 time in one process, served by Django's test client."""
    code = f"""
import statistics, time, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="nb")
client.cookies["{cookie.split("=", 1)[0]}"] = "{cookie.split("=", 1)[1]}"
for _ in range(30):
    assert client.get("{PAGES[1][1]}").status_code == 200
times = []
for _ in range({requests}):
    started = time.perf_counter()
    client.get("{PAGES[1][1]}")
    times.append((time.perf_counter() - started) * 1000)
times.sort()
print(f"{{statistics.median(times):.2f}} ms median, {{times[int(0.95 * len(times))]:.2f}} ms p95")
"""
    variant_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_cache", "BENCH_CACHE_BACKEND": variant}
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=variant_env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def write(report: str, args: argparse.Namespace) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = "<!-- pages:start -->", "<!-- pages:end -->"
    database = "postgres://postgres@127.0.0.1:5432/medlemsportal_bench"
    command = f"DATABASE_URL={database} .venv/bin/python bench/dashboard.py --write"
    block = f"{start}\n_Last run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}:_ `{command}`\n\n{report}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += f"\n## Pages (status dashboard, organisation list, public status)\n\n{block}\n"
    path.write_text(text)


if __name__ == "__main__":
    main()

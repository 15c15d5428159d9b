"""The load driver the HTTP benchmarks share (bench/dashboard.py, bench/api.py): the database at national
scale, the production server (gunicorn), keep-alive clients in threads, and the report's table.

Every figure is a ratio against a floor measured in the same run on the same server: the trivial view
(``/healthz``), driven first and again last, since on a shared machine its throughput drifts within a
run. Nothing here is a test; ``make bench`` runs the scripts (bench/run.py).
"""

from __future__ import annotations

import http.client
import os
import platform
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
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench"
# Not 0 (a developer's own) nor 15 (the tests'): set BENCH_REDIS_URL to use another.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
SERVER_ENV = {
    "PORTAL_ENV": "production",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_HOST": "127.0.0.1",
    "SIGNING_PKCS12_PASSWORD": "demo-signing-password",
    "TIMESTAMP_AUTHORITY_URL": "http://127.0.0.1:8010/",
    "SIGNING_PKCS12_PATH": str(ROOT / "var" / "signing" / "signing.p12"),
    "PORTAL_BASE_URL": "https://127.0.0.1",
    "PRIVATE_STORAGE_DIR": str(Path(tempfile.gettempdir()) / "medlemsportal-bench" / "private"),
    "OTP_WEBAUTHN_RP_ID": "127.0.0.1",
    "OTP_WEBAUTHN_ALLOWED_ORIGINS": "https://127.0.0.1",
    "DATABASE_CONN_MAX_AGE": "60",
}
TRIVIAL = ("trivial view (/healthz)", "/healthz")
# The second reference: a bench-only view that reads the shared cache once and answers (bench/urls_floor.py).
# Every page and API call reads Redis at least once (a session, a token check), and on a small machine
# one round trip costs a gthread worker more than the trivial view's whole request: this row says how
# much of a target is left to the view itself.
ONE_READ = ("one read of the shared cache, nothing else (bench-only view)", "/bench/one-cache-read")


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


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is created when missing).")
    return url


def server_env(**extra: str) -> dict[str, str]:
    """The production profile's environment, with throwaway secrets for the run."""
    import secrets

    return {
        **os.environ,
        **SERVER_ENV,
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "NATIONAL_ID_HMAC_KEY": secrets.token_urlsafe(48),
        **extra,
    }


def manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return done.stdout or ""


def shell(code: str, env: dict[str, str]) -> str:
    """The last line ``manage.py shell -c code`` prints (Django's shell first says what it imported)."""
    out = manage("shell", "-c", code, env=env, capture=True).strip().splitlines()
    return out[-1] if out else ""


def ensure_database(url: str) -> bool:
    """Create the benchmark database when it does not exist (trust auth, as on the CI machine); True when
    it was created."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    code = f"""
import psycopg
with psycopg.connect({admin!r}, autocommit=True) as c:
    if c.execute("select 1 from pg_database where datname=%s", [{name!r}]).fetchone():
        print("exists")
    else:
        c.execute('create database "{name}"')
        print("created")
"""
    out = subprocess.run([PYTHON, "-c", code], check=True, capture_output=True, text=True).stdout
    return out.strip() == "created"


def prepare(env: dict[str, str], *, enterprises: int, agreements: int, audit_events: int) -> None:
    """Migrate and load the national-scale data once: later runs find it there (seed_scale is a no-op
    when its rows exist)."""
    dev = {**env, "PORTAL_ENV": "development"}
    manage("migrate", "--noinput", "-v0", env=dev)
    loaded = shell("from organisations.models import Organisation; print(Organisation.objects.count())", dev)
    if int(loaded or 0) >= enterprises:
        return
    manage("ensure_signing_certificate", env=dev)
    manage("load_reference_data", env=dev)
    manage("load_service_catalogue", env=dev)
    # seed_demo seals the demo agreements, each timestamped: a local authority on a port of its own.
    port = free_port()
    dev["TIMESTAMP_AUTHORITY_URL"] = f"http://127.0.0.1:{port}/"
    tsa = subprocess.Popen([PYTHON, "manage.py", "run_timestamp_authority", f"--port={port}"], cwd=ROOT, env=dev)
    try:
        wait_for_port(port)
        manage("seed_demo", env=dev)
    finally:
        tsa.terminate()
        tsa.wait(timeout=30)
    manage(
        "seed_scale",
        f"--enterprises={enterprises}",
        f"--agreements={agreements}",
        f"--audit-events={audit_events}",
        env=dev,
    )


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def warm_up(env: dict[str, str]) -> None:
    """Fresh planner statistics, as autovacuum keeps them in production (right after a bulk load the
    planner would take 50,000 rows for a handful), and the hashed static files production serves."""
    manage("migrate", "--noinput", "-v0", env={**env, "PORTAL_ENV": "development"})
    shell("from django.db import connection; connection.cursor().execute('ANALYZE')", env)
    manage("collectstatic", "--noinput", "-v0", env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, threads: int = 4) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--worker-class=gthread", f"--threads={threads}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
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


def drive(
    port: int, path: str, headers: dict[str, str], *, connections: int, seconds: float
) -> tuple[int, int, list[float]]:
    """``connections`` keep-alive clients GET ``path`` for ``seconds``: (answers, errors, latencies)."""
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


def run_pages(
    env: dict[str, str],
    pages: list[tuple[str, str]],
    headers: dict[str, str],
    *,
    workers: int,
    connections: int,
    seconds: float,
) -> list[Result]:
    """Serve with gunicorn and drive the trivial view, the one-cache-read view, each page, and the trivial
    view again. The server runs production settings plus the bench-only URL (bench/settings_floor.py)."""
    port = free_port()
    server = start_server({**env, "DJANGO_SETTINGS_MODULE": "bench.settings_floor"}, port, workers)
    results = []
    try:
        for name, path in [TRIVIAL, ONE_READ, *pages, (f"{TRIVIAL[0]}, again", TRIVIAL[1])]:
            drive(port, path, headers, connections=connections, seconds=2)  # warm-up, not counted
            started = time.monotonic()
            count, errors, latencies = drive(port, path, headers, connections=connections, seconds=seconds)
            results.append(Result(name, path, count, errors, time.monotonic() - started, latencies))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


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


def table(results: list[Result], *, server: str, targets: dict[str, tuple[float, float | None]] | None = None) -> str:
    """The report: machine, server, load, floor, and each page against the floor (with its target)."""
    baseline = (results[0].rps + results[-1].rps) / 2
    targets = targets or {}
    lines = [
        f"Machine: {machine()}; load average at the end: {load_average()}",
        f"Server: {server}",
        "",
        f"Floor: the trivial view, mean of its two runs ({baseline:.0f} requests/s).",
        *_ceiling(results, baseline),
        "",
        "| URL | requests/s | share of floor | p50 ms | p95 ms | errors | target (share, p95) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        share = 100 * r.rps / baseline
        target = ""
        if r.path in targets:
            want_share, want_p95 = targets[r.path]
            met = share >= want_share and (want_p95 is None or r.percentile(0.95) < want_p95)
            latency = f", < {want_p95:.0f} ms" if want_p95 is not None else ""
            target = f"≥ {want_share:.0f} %{latency}: {'met' if met else '**not met**'}"
        ceiling = next((c.rps for c in results if c.path == ONE_READ[1]), 0.0)
        of_ceiling = f" ({100 * r.rps / ceiling:.0f} %)" if ceiling and r.path not in (TRIVIAL[1], ONE_READ[1]) else ""
        lines.append(
            f"| {r.name} (`{r.path}`) | {r.rps:.0f} | {share:.0f} %{of_ceiling} | "
            f"{r.percentile(0.5):.1f} | {r.percentile(0.95):.1f} | {r.errors} | {target} |"
        )
    return "\n".join(lines)


def _ceiling(results: list[Result], baseline: float) -> list[str]:
    reference = next((r for r in results if r.path == ONE_READ[1]), None)
    if reference is None or not reference.rps:
        return []
    return [
        f"A view that reads the shared cache once and does nothing else reaches {reference.rps:.0f} requests/s "
        f"({100 * reference.rps / baseline:.0f} % of the floor): the ceiling of any page here (the floor and "
        "this view pass a person's middleware; an API call with a token passes the API's own, lighter stack, "
        "core/stacks.py, and may exceed it). In brackets after each share: its share of that ceiling."
    ]


def write_block(marker: str, heading: str, command: str, report: str) -> None:
    """Put ``report`` between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` in docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = f"{start}\n_Last run {stamp}:_ `{command}`\n\n{report}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += f"\n## {heading}\n\n{block}\n"
    path.write_text(text)

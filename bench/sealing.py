"""The sealing benchmark: time to seal one agreement as PAdES B-LTA (the pipeline since issue 16) against the old
B-B seal, on the same document, the same key and the same machine, interleaved so both see the same load.

    .venv/bin/python bench/sealing.py [--count 40]

A fresh demo CA is made in a temporary directory; the local timestamp authority runs as its own process on a free
loopback port (as under `make run`), so each B-LTA seal pays two real HTTP round trips (signature timestamp and
document timestamp). The document is a membership agreement of typical size (three sections and a signature
page, rendered by lib.pdf). Verification time of each kind is measured too. Prints a Markdown section for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib import pades  # noqa: E402
from lib.pdf import render_markdown_pdf  # noqa: E402

PASSWORD = "bench-password"  # noqa: S105 – a throwaway CA


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}, {system}"


def document() -> bytes:
    text = "Medlemmet skal følge Normen og gi tilgang etter tjenstlig behov. " * 120
    return render_markdown_pdf(
        title="Medlemsavtale for Helsenettet – versjon 2026",
        sections=[(f"{n}. Vilkår", text) for n in (1, 2, 3)],
        signature_page=[("Organisasjon", "Ringsaker kommune"), ("Signert av", "Kari Nordmann")],
        signature_page_title="Signatur",
        footer="Medlemsportal – Norsk helsenett SF",
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="seals of each kind (after 2 warm-up rounds)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-sealing-") as directory:
        ca = Path(directory)
        p12, root = pades.create_demo_ca(ca, password=PASSWORD)
        tsa = subprocess.Popen(
            [sys.executable, "-m", "lib.pades.tsa", "--p12", str(ca / pades.TSA_P12_NAME), "--port", "0"],
            cwd=ROOT,
            env={**os.environ, "SIGNING_PKCS12_PASSWORD": PASSWORD},
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = (tsa.stdout.readline() if tsa.stdout else "").removeprefix("listening on ").strip()
            roots = [root.read_bytes()]
            b_b = pades.PadesSigner(p12, PASSWORD)
            b_lta = pades.PadesSigner(
                p12, PASSWORD, timestamp_url=url, trust_roots=roots, crls=[(ca / pades.CRL_NAME).read_bytes()]
            )
            unsigned = document()
            times: dict[str, list[float]] = {"B-B seal": [], "B-LTA seal": [], "B-B verify": [], "B-LTA verify": []}
            sealed: dict[str, bytes] = {}
            for round_ in range(args.count + 2):
                for name, signer in (("B-B", b_b), ("B-LTA", b_lta)):
                    start = time.perf_counter()
                    sealed[name] = signer.sign(unsigned, reason="Medlemsavtale 2026: Ringsaker kommune")
                    seal_time = time.perf_counter() - start
                    verify_time = timed(lambda name=name: pades.verify(sealed[name], trust_roots=roots))  # type: ignore[misc]  # default binds the loop variable
                    if round_ >= 2:
                        times[f"{name} seal"].append(seal_time)
                        times[f"{name} verify"].append(verify_time)
            assert pades.verify(sealed["B-LTA"], trust_roots=roots).level == "B-LTA"
        finally:
            tsa.terminate()
            tsa.wait(timeout=10)

    print(f"Machine: {machine()}")
    print(f"Command: .venv/bin/python bench/sealing.py --count {args.count}")
    print(
        f"Document: {len(unsigned) / 1024:.0f} KiB unsigned; sealed B-B {len(sealed['B-B']) / 1024:.0f} KiB, "
        f"B-LTA {len(sealed['B-LTA']) / 1024:.0f} KiB"
    )
    print()
    print("| operation | median | p95 | × B-B (median) |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        base = statistics.median(times[f"B-B {name.split()[1]}"])
        print(
            f"| {name} | {statistics.median(values) * 1000:.0f} ms | {percentile(values, 0.95) * 1000:.0f} ms "
            f"| {statistics.median(values) / base:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

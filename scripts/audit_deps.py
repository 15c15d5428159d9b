"""Audit the runtime lock for known vulnerabilities with pip-audit, and never report green on nothing.

pip-audit exits 0 with "No known vulnerabilities found" even when it could not look a single package
up (its vulnerability service unreachable, or a mirror without the per-release JSON). This wrapper
reads pip-audit's JSON and says plainly how many packages were checked; a package that could not be
checked makes the run fail with exit code 3 ("NOT CHECKED"), a known vulnerability with exit code 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

NOT_CHECKED = 3


def main(argv: list[str]) -> int:
    lock = argv[1] if len(argv) > 1 else "requirements.lock"
    pip_audit = str(Path(sys.executable).with_name("pip-audit"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        command = [pip_audit, "-r", lock, "--require-hashes", "--disable-pip", "--progress-spinner", "off"]
        command += ["--format", "json", "--output", str(out)]
        proc = subprocess.run(  # noqa: S603 - fixed arguments, our own tool
            command,
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists() or out.stat().st_size == 0:
            print(proc.stderr.strip()[-2000:], file=sys.stderr)
            print(f"audit-deps: NOT CHECKED - pip-audit could not run or reach its vulnerability database ({lock}).")
            return NOT_CHECKED
        report = json.loads(out.read_text())
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
    if skipped:
        print(f"  e.g. {skipped[0]['skip_reason']}")
        print(
            f"audit-deps: NOT CHECKED - {len(skipped)} of {len(dependencies)} packages in {lock} could not be looked "
            "up in the vulnerability database (unreachable from here?). This is not a clean result."
        )
        return NOT_CHECKED
    if vulnerable:
        print(f"audit-deps: {len(vulnerable)} of {checked} packages have known vulnerabilities.")
        return 1
    print(f"audit-deps: all {checked} packages in {lock} checked; no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

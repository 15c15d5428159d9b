"""Print one line per family of the security report and gate on it (exit 1 on failed, 5xx or data lost).

Reads reports/security/*.json written by tests/security_report.py; names the families the project has
no probe for yet. Exit 2 when no family report exists (a green result that checked nothing is refused).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.security_report import FAMILIES, NOT_YET


def main(argv: list[str]) -> int:
    directory = Path(argv[1] if len(argv) > 1 else "reports/security")
    reports = {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("T*.json"))}
    bad = 0
    lines = []
    for family in sorted(FAMILIES, key=lambda f: int(f[1:])):
        report = reports.get(family)
        if report is None:
            lines.append(f"{family} {FAMILIES[family][0]}: not run in this report")
            continue
        ok = report["failed"] == 0 and report["errors_5xx"] == 0 and report["data_lost"] == 0
        bad += not ok
        lines.append(
            f"{report['family']}: tried {report['tried']}, passed {report['passed']}, failed {report['failed']}, "
            f"5xx {report['errors_5xx']}, data lost {report['data_lost']} — {'PASS' if ok else 'FAIL'}"
        )
    for family, why in sorted(NOT_YET.items(), key=lambda item: int(item[0][1:])):
        lines.append(f"{family}: not yet — {why}")
    summary = "\n".join(lines)
    print(summary)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.txt").write_text(summary + "\n")
    if not reports:
        print("security-report: NO family report found: nothing was checked.")
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

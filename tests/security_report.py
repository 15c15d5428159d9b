"""pytest plugin: the security test plan's per-family JSON reports (../shared/SECURITY.md, part 2).

When SECURITY_REPORT_DIR is set, every test of a family's files is tallied and, at the end of the session,
``<dir>/<ID>.json`` is written for each family that ran: ``{family, tried, passed, failed, errors_5xx,
data_lost, details}``. ``scripts/security_summary.py`` prints one line per family and is the gate.
errors_5xx counts failures whose report mentions a 500 response; data_lost counts failures of tests
marked as data-loss checks by name ("lost", "partial", "nothing stored"); both are therefore lower
bounds measured from the tests' own assertions.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

# ID -> (name, files whose tests make up the family)
FAMILIES: dict[str, tuple[str, list[str]]] = {
    "T1": ("deploy-configuration", ["core/tests/test_settings.py"]),
    "T2": (
        "headers-and-cookies",
        ["core/tests/test_security_headers.py", "tests/test_security_headers_every_route.py"],
    ),
    "T3": ("authorization-matrix", ["tests/test_authorization_matrix.py"]),
    "T5": ("tlp-enforcement", ["advisories/tests/test_tlp.py", "advisories/tests/test_admin_tlp.py"]),
    "T6": (
        "bad-input-corpus",
        ["tests/test_bad_input_corpus.py", "integrations/tests/test_bad_input_api.py", "core/tests/test_forms.py"],
    ),
    "T7": ("api-schema-fuzzing", ["integrations/tests/test_schemathesis.py"]),
    "T9": ("crash-consistency", ["enhetsregisteret/tests/test_import.py", "connections/tests/test_import.py"]),
    "T10": ("audit-tamper", ["core/tests/test_audit.py"]),
    "T11": ("signed-pdf-verification", ["memberships/tests/test_verify.py", "lib/tests/test_pades.py"]),
    "T12": ("login-throttling", ["accounts/tests/test_throttling.py"]),
    "T13": ("sessions", ["accounts/tests/test_sessions.py"]),
    "T14": ("oidc-negative-suite", ["accounts/tests/test_oidc.py"]),
    "T15": ("csrf", ["tests/test_csrf_every_route.py"]),
    "T16": (
        "upload-limits",
        ["core/tests/test_limits.py", "incidents/tests/test_incidents.py", "lib/tests/test_pdfscan.py"],
    ),
    "T17": ("export-injection", ["lib/tests/test_xlsxsafe.py"]),
    "T23": ("api-tokens", ["integrations/tests/test_token_matrix.py"]),
    "T21": ("audit-and-logs", ["core/tests/test_logging.py"]),
    "T22": ("background-jobs", ["memberships/tests/test_reminders.py", "core/tests/test_workers_and_scheduler.py"]),
    "T24": ("error-handling", ["core/tests/test_error_pages.py"]),
    "T26": (
        "org-number-fidelity",
        ["organisations/tests/test_org_number.py", "enhetsregisteret/tests/test_records.py"],
    ),
}
NOT_YET: dict[str, str] = {
    "T4": "mass assignment: no probe yet",
    "T8": "concurrency (32 parallel signers on PostgreSQL): no probe yet",
    "T18": "XSS/template injection corpus: no probe yet",
    "T19": "outbound fetch allow-list: no probe yet",
    "T20": "CSAF import robustness against real feeds: partial (advisories/tests/test_csaf.py), not counted",
    "T25": "dependencies: `make audit-deps` and `make sbom` (need the vulnerability database; not a pytest family)",
}
_FAMILY_OF = {path: family for family, (_name, paths) in FAMILIES.items() for path in paths}
_DATA_LOSS = re.compile(r"lost|partial|nothing_stored|nothing_is_stored|half")


def family_of(nodeid: str) -> str | None:
    return _FAMILY_OF.get(nodeid.split("::", 1)[0])


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"tried": 0, "passed": 0, "failed": 0, "errors_5xx": 0, "data_lost": 0, "details": []}
        )

    def add(self, report: pytest.TestReport) -> None:
        family = family_of(report.nodeid)
        if family is None:
            return
        if report.when == "call" or (report.when == "setup" and not report.passed):
            entry = self.counts[family]
            if report.skipped:
                return
            entry["tried"] += 1
            if report.passed:
                entry["passed"] += 1
                return
            entry["failed"] += 1
            text = str(report.longrepr)[-4000:]
            if re.search(r"\b500\b|Internal Server Error", text):
                entry["errors_5xx"] += 1
            if _DATA_LOSS.search(report.nodeid.split("::")[-1]):
                entry["data_lost"] += 1
            entry["details"].append({"test": report.nodeid, "failure": text[-600:]})


_tally = _Tally()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _tally.add(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("SECURITY_REPORT_DIR")
    if not target or hasattr(session.config, "workerinput"):  # xdist workers report to the controller
        return
    directory = Path(target)
    directory.mkdir(parents=True, exist_ok=True)
    for family, entry in _tally.counts.items():
        if entry["tried"] == 0:
            continue
        result = {"family": f"{family} {FAMILIES[family][0]}", **entry}
        (directory / f"{family}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))

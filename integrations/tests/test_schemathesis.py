"""Schemathesis against the live schema: the real server (pytest-django's live_server), the schema served at
/api/v1/schema/, every check, a fixed seed, the stateful phase following the schema's links, once for a
read-only, a read-write and a national token. 0 failures, and every operation exercised.

Kept lean for `make test`: a handful of examples per operation (the property-based phases still reach every
parameter and body field); SCHEMATHESIS_MAX_EXAMPLES raises it for a deeper run.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events as engine_events
from schemathesis.engine import from_schema

from integrations.tests.conftest import seed_api_world

SEED = 17
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6"))
# JSON Schema cannot express MOD11 (a nine-digit number with a wrong check digit is schema-valid, and the
# lookup rightly answers 400, issue 17), nor that a cursor is valid only if the server made it. For these
# operations a 400 to schema-valid input is right; everything else follows schemathesis' defaults.
MOD11_OPERATIONS = ("member_lookup", "member_authorisations")
CURSOR_OPERATIONS = ("members_list", "authorisations_list", "orders_list", "advisories_list")


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "checks": {"enabled": True},
            "phases": {"stateful": {"enabled": True}},
            "operations": [
                {
                    "include-operation-id": name,
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}
                    },
                }
                for name in (*MOD11_OPERATIONS, *CURSOR_OPERATIONS)
            ],
        }
    )


def _describe(recorder: Any, check: Any) -> str:
    info = check.failure_info
    text = f"{recorder.label}: {check.name}: {info.failure.title if info else ''}"
    if info:
        text += "\n" + info.code_sample
    return text


@pytest.mark.parametrize("kind", ["read_only", "read_write", "national"])
def test_schemathesis_finds_no_failure(live_server: Any, world: Any, kind: str, settings: Any) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    api_world = seed_api_world(world)
    token = api_world.tokens[kind]
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/schema/",
        config=_config(token),
        headers={"Authorization": f"Bearer {token}"},
    )
    schema.config.update(base_url=live_server.url)
    failures: list[str] = []
    cases: Counter[str] = Counter()
    operations_run: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, engine_events.ScenarioFinished):
            for node in event.recorder.cases.values():
                label = node.value.operation.label
                cases[label] += 1
                operations_run.add(label)
            for check_nodes in event.recorder.checks.values():
                for check in check_nodes:
                    if check.status.name == "FAILURE":
                        failures.append(_describe(event.recorder, check))
        elif isinstance(event, engine_events.NonFatalError):
            failures.append(f"error in {event.label}: {event.value!r}")
        elif isinstance(event, engine_events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
    every = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items() for method in item}
    print(f"\n{kind}: {sum(cases.values())} cases over {len(operations_run)} operations, {len(failures)} failures")
    assert not failures, "\n".join(sorted(set(failures))[:30])
    assert {label.replace("/api/v1", "") for label in operations_run} >= {e.replace("/api/v1", "") for e in every}

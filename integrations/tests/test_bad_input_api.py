"""T6 for the API: the bad-input corpus in every query and path parameter of every GET operation of the
OpenAPI schema, with a national token (the widest reader). No 5xx; a refusal is a problem document with a
translated detail; nothing is written by a read (the database is unchanged afterwards)."""

from __future__ import annotations

import re
from typing import Any

from integrations.tests.conftest import ApiWorld
from tests.test_csrf_every_route import database_fingerprint

CORPUS = {
    "nul": "abc\x00def",
    "control": "\x1b[31m",
    "rlo": "\u202e974760673",
    "zero-width": "97476\u200b0673",
    "crlf": "a\r\nX-Injected: 1",
    "overlong": "9" * 10_000,
    "emoji": "😀👨\u200d👩\u200d👧",
    "html": "<script>alert(1)</script>",
    "sql": "' OR 1=1 --",
    "arabic-indic-digits": "٩٧٤٧٦٠٦٧٣",
    "bad-mod11": "974760674",
    "zeros": "000000000",
    "eight-digits": "97476067",
    "impossible-date": "2024-02-30",
    "far-future-date": "9999-12-31T23:59:59Z",
    "int64-overflow": "9" * 25,
    "negative": "-1",
    "float": "1e309",
}
# Values a path segment cannot carry through a URL (the test client refuses them before the portal sees them).
NOT_IN_PATHS = {"nul", "control", "crlf"}


def _operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["get"]) for path, item in schema["paths"].items() if "get" in item]


def test_the_api_answers_the_corpus_in_every_parameter_without_a_server_error(
    api_world: ApiWorld, client: Any, settings: Any
) -> None:
    settings.RATELIMIT_ENABLED = False  # the corpus is many requests from one token: the budget is tested apart
    auth = api_world.auth("national")
    schema = client.get("/api/v1/schema/", **auth).json()
    orgnr = api_world.world.org_a.org_number
    before = database_fingerprint()
    problems, tried, parameters = [], 0, 0
    for path, operation in _operations(schema):
        params = [p for p in operation.get("parameters", []) if p["in"] in {"query", "path"}]
        defaults = {p["name"]: orgnr if "orgnr" in p["name"] else "1" for p in params if p["in"] == "path"}
        for param in params:
            parameters += 1
            for label, value in CORPUS.items():
                if param["in"] == "path" and label in NOT_IN_PATHS:
                    continue
                values = {**defaults, param["name"]: value} if param["in"] == "path" else defaults
                url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v[m.group(1)]), path)
                query = {param["name"]: value} if param["in"] == "query" else {}
                tried += 1
                response = client.get(url, query, **auth)
                where = f"{operation['operationId']} {param['name']}={label}: {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"5xx {where}")
                elif response.status_code >= 400 and (
                    response["Content-Type"] != "application/problem+json" or not response.json().get("detail")
                ):
                    problems.append(f"no problem document {where}")
    print(f"T6 api: {len(_operations(schema))} GET operations, {parameters} parameters, {tried} requests")
    assert tried > 100
    assert not problems, "\n".join(problems[:40])
    assert database_fingerprint() == before


def test_a_path_no_operation_matches_is_a_problem_document_too(api_world: ApiWorld, client: Any) -> None:
    response = client.get("/api/v1/members/<script>alert(1)</script>", **api_world.auth("national"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] and "<script>" not in response.json()["detail"]

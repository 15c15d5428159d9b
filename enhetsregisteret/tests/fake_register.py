"""A local stand-in for data.brreg.no/enhetsregisteret/api: http.server in a thread, serving
recorded responses in the real format. No test touches the internet."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/enhetsregisteret/api"
UNIT_TYPE = "application/vnd.brreg.enhetsregisteret.enhet.v2+json;charset=UTF-8"
FEED_TYPE = "application/vnd.brreg.enhetsregisteret.oppdatering.enhet.v1+json;charset=UTF-8"
ROLES_TYPE = "application/vnd.brreg.enhetsregisteret.rolle.v1+json;charset=UTF-8"
ROLES_FEED_TYPE = "application/vnd.brreg.enhetsregisteret.oppdatering.rolle.v1+json;charset=UTF-8"


def person_role(
    code: str,
    first: str,
    last: str,
    born: str,
    *,
    middle: str = "",
    description: str = "",
    resigned: bool = False,
    deregistered: bool = False,
) -> dict[str, Any]:
    """One role held by a person, as /enheter/{orgnr}/roller writes it."""
    name: dict[str, str] = {"fornavn": first, "etternavn": last}
    if middle:
        name["mellomnavn"] = middle
    role: dict[str, Any] = {
        "type": {
            "kode": code,
            "beskrivelse": description or code,
            "_links": {"self": {"href": f"https://data.brreg.no/enhetsregisteret/api/roller/rolletyper/{code}"}},
        },
        "person": {"fodselsdato": born, "navn": name, "erDoed": False},
        "fratraadt": resigned,
        "rekkefolge": 0,
    }
    if deregistered:
        role["avregistrert"] = True
    return role


def roles_answer(*roles: dict[str, Any], last_changed: str = "2024-05-02") -> dict[str, Any]:
    """A roles answer: one role group per role code, in the register's shape (``rollegrupper``)."""
    groups: dict[str, dict[str, Any]] = {}
    for role in roles:
        code = role["type"]["kode"]
        group = groups.setdefault(
            code,
            {
                "type": {
                    "kode": code,
                    "beskrivelse": role["type"]["beskrivelse"],
                    "_links": {
                        "self": {"href": f"https://data.brreg.no/enhetsregisteret/api/roller/rollegruppetyper/{code}"}
                    },
                },
                "sistEndret": last_changed,
                "roller": [],
            },
        )
        group["roller"].append(role)
    return {"rollegrupper": list(groups.values()), "_links": {"enhet": {"href": "https://evil.example/"}}}


class FakeRegister:
    def __init__(self) -> None:
        self.units: dict[str, tuple[int, Any]] = {}
        self.roles: dict[str, tuple[int, Any]] = {}
        self.role_events: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failures: dict[str, list[int]] = {}  # path -> statuses to answer first
        self.unit_type = UNIT_TYPE
        self.redirect: dict[str, str] = {}
        register = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                register.requests.append((self.path, dict(self.headers)))
                path = parts.path.removeprefix(PREFIX)
                queue = register.failures.get(path)
                if queue:
                    self._send(queue.pop(0), {"feil": "midlertidig"}, "application/json")
                    return
                if path in register.redirect:
                    self.send_response(302)
                    self.send_header("Location", register.redirect[path])
                    self.end_headers()
                    return
                if path == "/oppdateringer/enheter":
                    query = parse_qs(parts.query)
                    start = int(query["oppdateringsid"][0])
                    size = int(query.get("size", ["20"])[0])
                    page = [e for e in register.events if e["oppdateringsid"] >= start][:size]
                    body: dict[str, Any] = {
                        "_links": {
                            "first": {"href": "https://evil.example/oppdateringer/enheter?page=0"},
                            "next": {"href": "https://evil.example/steal"},
                        },
                        "page": {"size": size, "totalElements": len(page), "totalPages": 1, "number": 0},
                    }
                    if page:  # with no hits there is no _embedded key
                        body["_embedded"] = {"oppdaterteEnheter": page}
                    self._send(200, body, FEED_TYPE)
                    return
                if path == "/oppdateringer/roller":
                    query = parse_qs(parts.query)
                    after = int(query.get("afterId", ["0"])[0])
                    size = int(query.get("size", ["100"])[0])
                    page = [e for e in register.role_events if e["id"] > after][:size]
                    self._send(200, page, ROLES_FEED_TYPE)
                    return
                if path.startswith("/enheter/") and path.endswith("/roller"):
                    number = path.removeprefix("/enheter/").removesuffix("/roller")
                    status, answer = register.roles.get(number, (404, {"feilmelding": "Ingen enhet"}))
                    self._send(status, answer, ROLES_TYPE if status == 200 else "application/json")
                    return
                if path.startswith("/enheter/"):
                    number = path.removeprefix("/enheter/")
                    status, unit = register.units.get(number, (404, {"feilmelding": "Ingen enhet"}))
                    self._send(status, unit, register.unit_type if status == 200 else "application/json")
                    return
                self._send(404, {}, "application/json")

            def _send(self, status: int, body: Any, content_type: str) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{PREFIX}"

    def event(self, update_id: int, number: str, kind: str, date: str = "2026-11-24T04:01:22.299Z") -> None:
        self.events.append(
            {
                "oppdateringsid": update_id,
                "dato": date,
                "organisasjonsnummer": number,
                "endringstype": kind,
                "_links": {"enhet": {"href": f"https://evil.example/enheter/{number}"}},
            }
        )

    def role_event(self, event_id: int, number: str, time: str = "2026-11-24T04:01:22.299Z") -> None:
        """A roles update event, in the CloudEvents form the roles feed uses."""
        self.role_events.append(
            {
                "specversion": "1.0",
                "id": event_id,
                "source": "https://data.brreg.no/enhetsregisteret/api/roller",
                "type": "no.brreg.enhetsregisteret.rolle.oppdatert",
                "time": time,
                "datacontenttype": "application/json",
                "data": {"organisasjonsnummer": number},
            }
        )

    def __enter__(self) -> FakeRegister:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

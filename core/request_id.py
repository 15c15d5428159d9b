"""One id per request (or per background task), in logs, audit events, e-mail headers and responses; and the
request's client address (``core.client_ip``), which audit events made during the request carry.

An id that the trusted proxy sends in ``X-Request-ID`` is kept when it looks like an id (letters,
digits, dashes, 8–64 characters); otherwise a new one is made. The response carries it back, so a
user who reports an error page's reference can be matched to the log lines.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from core.client_ip import client_ip

_REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
_CLIENT_ADDRESS: ContextVar[str] = ContextVar("client_address", default="")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")
HEADER = "X-Request-ID"


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return _REQUEST_ID.get()


def current_client_address() -> str:
    """The client address of the request being served ("" in a task or a command): for the audit trail."""
    return _CLIENT_ADDRESS.get()


@contextmanager
def request_id_scope(request_id: str | None = None) -> Iterator[str]:
    """Run a block (a task, a command) under a request id: the given one, or a new one."""
    value = request_id if request_id and _SAFE.match(request_id) else new_request_id()
    token = _REQUEST_ID.set(value)
    try:
        yield value
    finally:
        _REQUEST_ID.reset(token)


class RequestIdMiddleware:
    """First in the chain: every log line, audit event and e-mail of the request carries its id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = _CLIENT_ADDRESS.set(client_ip(request))
        try:
            with request_id_scope(request.headers.get(HEADER)) as request_id:
                request.request_id = request_id  # type: ignore[attr-defined]  # our own attribute on the request
                response = self.get_response(request)
                response[HEADER] = request_id
                return response
        finally:
            _CLIENT_ADDRESS.reset(address)

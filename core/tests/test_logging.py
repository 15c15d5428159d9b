"""Logs are JSON lines with the request id; no password, token, session id or identity number in them;
the request id also reaches audit events and e-mail headers."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from core.audit import audit_record, verify_chain
from core.logging import JsonFormatter, RedactingFilter, RequestIdFilter, redact
from core.mail import mail_deliver, mail_queue
from core.request_id import request_id_scope

SECRETS = [
    ("login failed: password=hunter2-Sommer", "hunter2-Sommer"),
    ("POST body {'password': 'Helsenett-demo-2025', 'username': 'kari'}", "Helsenett-demo-2025"),
    ('{"token": "eyJhbGciOiJIUzI1NiJ9.abc.def"}', "eyJhbGciOiJIUzI1NiJ9"),
    ("Authorization: Bearer s3cr3t-metrics-token-value", "s3cr3t-metrics-token-value"),
    ("Cookie: sessionid=abcd1234efgh5678; csrftoken=zzzz9999", "abcd1234efgh5678"),
    ("session id sessionid=q1w2e3r4t5y6 expired", "q1w2e3r4t5y6"),
    ("person 01017012345 logged in", "01017012345"),
    ("person 010170 12345 logged in", "010170 12345"),
    ("csrfmiddlewaretoken=KJHGFDSAkjhgfdsa0987 refused", "KJHGFDSAkjhgfdsa0987"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_redact_masks_secrets_and_identity_numbers(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert "[redacted]" in redact(text)


def test_ordinary_text_and_organisation_numbers_are_kept() -> None:
    text = "Organisation 974760673 signed terms 2025 at 12:00 (9 digits is an organisation number)"
    assert redact(text) == text


def _capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("portal.test.logging")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_a_log_line_is_json_with_the_request_id_and_nothing_secret() -> None:
    logger, stream = _capture()
    with request_id_scope("req-1234abcd") as request_id:
        logger.warning("Login for %s with password=%s failed (fnr %s)", "kari@example.no", "hunter2xx", "01017012345")
        try:
            raise ValueError("token=abcdef123456 was wrong")
        except ValueError:
            logger.exception("Boom")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == [request_id, request_id]
    assert lines[0]["level"] == "WARNING" and "kari@example.no" in lines[0]["message"]
    everything = stream.getvalue()
    for secret in ("hunter2xx", "01017012345", "abcdef123456"):
        assert secret not in everything


def test_the_configured_console_handler_redacts_and_carries_the_request_id() -> None:
    handler = logging.getLogger().handlers[0]
    names = {type(f).__name__ for f in handler.filters}
    assert {"RedactingFilter", "RequestIdFilter"} <= names


@pytest.mark.django_db
def test_a_request_id_reaches_the_response_audit_events_and_email_headers(world: Any, client: Client) -> None:
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32
    with request_id_scope("audit-req-0001") as request_id:
        event = audit_record(actor=world["admin_a"], action="test.logged", obj=world.org_a)
        queued = mail_queue(
            template="advisories/email/contact_missing",
            recipients=["a@example.no"],
            context={"organisation": world.org_a, "url": "https://x"},
            key="test:request-id",
        )
    event.refresh_from_db()
    assert event.request_id == request_id
    assert verify_chain().ok
    mail.outbox.clear()
    assert mail_deliver(queued[0].pk) == "sent"
    message = mail.outbox[0].message()
    assert message["X-Request-ID"] == request_id
    assert message["Message-ID"].startswith(f"<outbox-{queued[0].pk}@")

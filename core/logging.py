"""Logs as JSON lines with the request id, and never a password, token, session id or identity number.

``RedactingFilter`` runs on every record of the console handler: it renders the message with its
arguments and masks secrets in it (``password=…``, ``token=…``, ``sessionid=…``, ``csrftoken=…``,
``Authorization: Bearer …``, cookies) and anything shaped like a Norwegian national identity number
(11 digits, optionally split 6+5). ``JsonFormatter`` writes one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from core.request_id import current_request_id

MASK = "[redacted]"
_SECRET_NAMES = r"(?:password|passwd|pwd|secret|token|api[_-]?key|session(?:id)?|csrf(?:token|middlewaretoken)?|otp)"  # noqa: S105 - names of secrets, not one
_PATTERNS = [
    # name=value, name: value, "name": "value" (query strings, form dumps, dicts, JSON)
    re.compile(rf"(?i)([\"']?\b[\w-]*{_SECRET_NAMES}[\w-]*[\"']?\s*[=:]\s*[\"']?)([^\s\"'&,;}}]+)"),
    re.compile(r"(?i)\b(authorization\s*[:=]\s*(?:bearer|basic|token)\s+)(\S+)"),
    re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})"),
    re.compile(r"(?i)\b(cookie\s*[:=]\s*)(.+)$"),
]
# A national identity number (fødselsnummer/D-nummer): 11 digits, alone or split 6+5.
_NATIONAL_ID = re.compile(r"(?<!\d)\d{6}[ ]?\d{5}(?!\d)")


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return _NATIONAL_ID.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Masks secrets and identity numbers in the message, its arguments and the exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None if record.exc_text else record.exc_info
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_configuration(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: JSON lines or plain text to the console, each with the request id, with secrets and
    identity numbers masked before any handler sees them."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "core.logging.RequestIdFilter"},
            "redact": {"()": "core.logging.RedactingFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "core.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id", "redact"]}
        },
        "root": {"handlers": ["console"], "level": level},
        # pyHanko logs a traceback at WARNING for every untrusted or altered PDF someone checks: expected input.
        "loggers": {"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}},
    }

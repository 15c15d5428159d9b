"""Body limits per route (before the body is read), rate limits per client (429 + Retry-After),
readiness and metrics endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
VERIFY = "/memberships/verify/"
MiB = 1024 * 1024


def _pdf_upload(size: int) -> bytes:
    boundary = "XyZ"
    payload = b"%PDF-1.7\n" + b"0" * (size - 9)
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )


def _post(client: Client, url: str, body: bytes, **extra: Any) -> Any:
    return client.generic("POST", url, body, content_type="multipart/form-data; boundary=XyZ", **extra)


def test_an_oversized_body_is_refused_by_its_declared_length_unread(client: Client) -> None:
    # The declared length is over the verification page's limit; only 10 bytes are actually sent,
    # so a 413 proves the decision was made before reading.
    response = _post(client, VERIFY, b"0123456789", CONTENT_LENGTH=str(11 * MiB), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_the_verification_upload_accepts_up_to_its_own_limit(client: Client) -> None:
    response = _post(client, VERIFY, _pdf_upload(9 * MiB))
    assert response.status_code != 413  # the form judges it (not a genuine agreement), not the limit


def test_other_routes_keep_the_small_default_limit(client: Client) -> None:
    response = client.generic(
        "POST", "/accounts/login/", b"x" * (4 * MiB), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_a_malformed_length_is_a_bad_request(client: Client) -> None:
    assert _post(client, VERIFY, b"x", CONTENT_LENGTH="lots").status_code == 400


def test_verification_uploads_are_rate_limited_per_client(client: Client, settings: Any) -> None:
    settings.RATELIMIT_VERIFY = "5/minute"
    codes = [_post(client, VERIFY, _pdf_upload(1000), REMOTE_ADDR="192.0.2.10").status_code for _ in range(6)]
    assert 429 not in codes[:5]
    assert codes[5] == 429
    refused = _post(client, VERIFY, _pdf_upload(1000), REMOTE_ADDR="192.0.2.10", HTTP_ACCEPT_LANGUAGE="en")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode()
    # Another client is not affected; reading the page (GET) is never limited.
    assert _post(client, VERIFY, _pdf_upload(1000), REMOTE_ADDR="192.0.2.11").status_code != 429
    assert client.get(VERIFY, REMOTE_ADDR="192.0.2.10").status_code == 200


def test_forwarded_for_counts_only_behind_a_trusted_proxy(client: Client, settings: Any) -> None:
    settings.RATELIMIT_STATUS_JSON = "2/minute"
    # No trusted proxy: a client cannot escape by inventing X-Forwarded-For.
    codes = [
        client.get("/status.json", REMOTE_ADDR="192.0.2.20", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(3)
    ]
    assert codes[2] == 429
    # One trusted proxy: the address it appended is the client.
    settings.TRUSTED_PROXIES = ["192.0.2.1"]
    proxy = "192.0.2.1"
    ok = client.get("/status.json", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7")
    assert ok.status_code != 429
    for _ in range(2):
        last = client.get("/status.json", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert last.status_code == 429
    assert last["Content-Type"] == "application/json"
    assert json.loads(last.content)["retry_after_seconds"] >= 1


def test_readyz_reports_database_queue_and_certificates(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ready" and report["database"]["ok"] is True
    assert "queues" in report and report["outbox_backlog"] >= 0
    assert report["certificates"]["sealing"]["days_left"] > 0
    assert client.get("/healthz").status_code == 200


def test_metrics_need_a_token_or_an_allowed_address(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "t" * 40
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    client.get("/healthz")
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.30").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.30", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/metrics", REMOTE_ADDR="192.0.2.30", HTTP_AUTHORIZATION="Bearer " + "t" * 40)
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "portal_request_duration_seconds_bucket",
        'route="healthz"',
        "portal_queue_depth",
        "portal_outbox_backlog",
        "portal_throttled_logins_total",
        "portal_signing_duration_seconds",
    ):
        assert name in text
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200

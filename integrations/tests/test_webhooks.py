"""Webhooks end to end: a real HTTP receiver on 127.0.0.1 checks the Standard Webhooks signature of what
the job queue delivers, a 500 is retried on the schedule, a 410 switches the endpoint off, TLP decides
who hears of an advisory, and addresses into internal networks are refused (SSRF)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from advisories.services import distribute
from advisories.tests.conftest import make_advisory
from core.models import AuditEvent
from integrations.choices import DeliveryState
from integrations.models import WebhookDelivery
from integrations.services import webhook_delivery_replay, webhook_endpoint_create
from integrations.tests.conftest import ApiWorld
from integrations.urlcheck import UnsafeURL, check_url
from integrations.webhooks import MAX_ATTEMPTS, RETRY_DELAYS, deliver
from orders.services import order_cancel_by_member


class Receiver:
    """An HTTP server on a port the OS chooses, answering each POST with the next queued status."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def hook(receiver: Receiver, api_world: ApiWorld) -> tuple[Any, str]:
    receiver.received.clear()
    receiver.statuses.clear()
    return webhook_endpoint_create(
        actor=api_world.world["admin_a"],
        organisation=api_world.world.org_a,
        url=receiver.url,
        event_types=["order.changed", "advisory.published"],
    )


def _verified(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    return Webhook(secret).verify(body, headers)  # raises unless the signature and the timestamp hold


def test_a_delivery_is_signed_retried_after_500_and_logged(
    api_world: ApiWorld,
    hook: tuple[Any, str],
    receiver: Receiver,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint, secret = hook
    assert secret.startswith("whsec_")
    receiver.statuses[:] = [500]
    order = api_world.objects["A"]["order"]
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_by_member(actor=api_world.world["admin_a"], order=order, reason="Feil")
    run_worker()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.PENDING, 1, 500)
    assert len(receiver.received) == 1
    with time_machine.travel(timezone.now() + RETRY_DELAYS[0] + dt.timedelta(seconds=1)):
        run_worker()
        assert len(receiver.received) == 2
        headers, body = receiver.received[-1]
        payload = _verified(secret, headers, body)
    assert headers["webhook-id"] == delivery.message_id and headers["webhook-signature"].startswith("v1,")
    assert payload["type"] == "order.changed"
    assert payload["data"] == {"orgnr": api_world.world.org_a.org_number, "order": order.pk, "state": "cancelled"}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (DeliveryState.SUCCEEDED, 2, 204)
    # A signature made with another secret does not verify.
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "QUJD" * 8).verify(body, headers)


def test_410_gone_switches_the_endpoint_off(
    api_world: ApiWorld,
    hook: tuple[Any, str],
    receiver: Receiver,
    run_worker: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    endpoint, _secret = hook
    receiver.statuses[:] = [410]
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_by_member(actor=api_world.world["admin_a"], order=api_world.objects["A"]["order"], reason="Feil")
    run_worker()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get(endpoint=endpoint).state == DeliveryState.FAILED
    assert len(receiver.received) == 1
    # Switched off: the next event is not delivered at all.
    make_advisory(tlp="GREEN", audience_all=True)
    assert WebhookDelivery.objects.count() == 1


def test_retries_span_more_than_a_day_then_the_endpoint_is_switched_off(
    api_world: ApiWorld, hook: tuple[Any, str], receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    assert sum(RETRY_DELAYS, dt.timedelta()) > dt.timedelta(days=1)
    endpoint, _secret = hook
    with django_capture_on_commit_callbacks(execute=False):
        order_cancel_by_member(actor=api_world.world["admin_a"], order=api_world.objects["A"]["order"], reason="Feil")
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    receiver.statuses[:] = [503] * MAX_ATTEMPTS
    outcomes = [deliver(delivery.pk) for _ in range(MAX_ATTEMPTS)]
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    # The owner sends it again by hand once the endpoint is back on.
    endpoint.is_active = True
    endpoint.save()
    receiver.statuses[:] = [200]
    with django_capture_on_commit_callbacks(execute=False):
        webhook_delivery_replay(actor=api_world.world["admin_a"], delivery=delivery)
    assert deliver(delivery.pk) == "sent"
    assert AuditEvent.objects.filter(action="webhook.replayed").exists()


def test_an_advisory_reaches_only_endpoints_its_tlp_lets_see_it(
    api_world: ApiWorld, hook: tuple[Any, str], receiver: Receiver
) -> None:
    endpoint, _secret = hook
    national, _ = webhook_endpoint_create(
        actor=api_world.world["system_admin"], organisation=None, url=receiver.url, event_types=["advisory.published"]
    )
    for_b = make_advisory(tlp="AMBER+STRICT", organisations=[api_world.world.org_b])
    for_a = make_advisory(tlp="AMBER", organisations=[api_world.world.org_a])
    named = make_advisory(tlp="RED", people=[api_world.world["admin_a"]])
    public = make_advisory(tlp="CLEAR", audience_all=True)
    for advisory in (for_b, for_a, named, public):
        distribute(advisory.pk, advisory.revision)
    distribute(public.pk, public.revision)  # a job run twice notifies once
    received = {
        (d.endpoint_id, d.payload["data"]["advisory"])
        for d in WebhookDelivery.objects.filter(event_type="advisory.published")
    }
    assert received == {(endpoint.pk, for_a.pk), (endpoint.pk, public.pk), (national.pk, public.pk)}


@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_internal_addresses_are_refused(api_world: ApiWorld) -> None:
    for url in (
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00:ec2::254]/",
        "https://100.64.0.1/",
        "https://user:pw@203.0.113.5/",
    ):
        with pytest.raises(UnsafeURL):
            check_url(url)
        with pytest.raises(ValidationError):
            webhook_endpoint_create(
                actor=api_world.world["admin_a"],
                organisation=api_world.world.org_a,
                url=url,
                event_types=["order.changed"],
            )
    check_url("https://8.8.8.8/hook")  # a public address passes (no request is made)


def test_the_address_is_checked_again_at_delivery(
    api_world: ApiWorld, hook: tuple[Any, str], receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint, _secret = hook
    with django_capture_on_commit_callbacks(execute=False):
        order_cancel_by_member(actor=api_world.world["admin_a"], order=api_world.objects["A"]["order"], reason="Feil")
    # The name now points at the loopback interface (as after a DNS change): refused before any request.
    endpoint.url = receiver.url.replace("http://127.0.0.1", "https://localhost")
    endpoint.save()
    with override_settings(WEBHOOK_ALLOW_LOOPBACK=False):
        assert deliver(WebhookDelivery.objects.get().pk) == "retry"
    assert receiver.received == []
    assert "private or internal" in WebhookDelivery.objects.get().last_error


def test_the_owner_reads_the_delivery_log(api_world: ApiWorld, hook: tuple[Any, str], client: Any, login: Any) -> None:
    endpoint, _secret = hook
    with override_settings():  # the delivery is stored; sending it is not what this test is about
        order_cancel_by_member(actor=api_world.world["admin_a"], order=api_world.objects["A"]["order"], reason="Feil")
    login(api_world.world["admin_a"])
    page = client.get(f"/integrations/{api_world.world.org_a.pk}/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    assert WebhookDelivery.objects.get().message_id in page.content.decode()
    login(api_world.world["admin_b"])
    assert client.get(f"/integrations/{api_world.world.org_a.pk}/webhooks/{endpoint.pk}/").status_code == 404
    assert json.loads(json.dumps(WebhookDelivery.objects.get().payload))["type"] == "order.changed"


def test_a_lost_delivery_job_is_enqueued_again(api_world: ApiWorld, hook: tuple[Any, str], manage: Any) -> None:
    order_cancel_by_member(actor=api_world.world["admin_a"], order=api_world.objects["A"]["order"], reason="Feil")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        code, out, _err = manage("webhooks_hourly")
    assert code == 0 and "Enqueued 1 " in out

"""Prometheus metrics (prometheus-client): request latency, throttled requests and logins, signing
duration, and at scrape time the job queue's depth and age and the e-mail outbox's backlog.

Other apps record through the helpers here, e.g. ``metrics.THROTTLED.labels(scope="login").inc()``
for a refused login, or ``with metrics.SIGNING_DURATION.time(): ...`` around sealing a PDF.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (per node, wiped at
start) and the endpoint adds up every worker's counters.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REQUEST_LATENCY = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by route and status class.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
THROTTLED = Counter("portal_throttled_requests_total", "Requests refused by a rate limit, by scope.", ["scope"])
THROTTLED_LOGINS = Counter("portal_throttled_logins_total", "Login attempts refused by throttling or lock-out.")
SIGNING_DURATION = Histogram(
    "portal_signing_duration_seconds",
    "Time to seal (PAdES) or timestamp a document.",
    ["operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)


class QueueCollector(Collector):
    """Read at scrape time from the database: job queue depth and age per queue, outbox backlog."""

    def collect(self) -> Iterator[Metric]:
        from core.health import outbox_backlog, queue_state

        depth = GaugeMetricFamily(
            "portal_queue_depth", "Jobs waiting or running, by queue.", labels=["queue", "status"]
        )
        age = GaugeMetricFamily(
            "portal_queue_oldest_age_seconds", "Age of the oldest waiting job, by queue.", labels=["queue"]
        )
        for queue, state in queue_state().items():
            depth.add_metric([queue, "ready"], state["ready"])
            depth.add_metric([queue, "running"], state["running"])
            depth.add_metric([queue, "failed"], state["failed"])
            age.add_metric([queue], state["oldest_age_seconds"])
        yield depth
        yield age
        yield GaugeMetricFamily("portal_outbox_backlog", "E-mails queued and not yet sent.", value=outbox_backlog())


def exposition() -> tuple[bytes, str]:
    """This node's metrics (every gunicorn worker's in multiprocess mode) and the shared queue's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
    else:
        process_registry = REGISTRY
    queue_registry = CollectorRegistry()
    queue_registry.register(QueueCollector())
    return generate_latest(process_registry) + generate_latest(queue_registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Records every request's latency by route name (never by raw path: no ids in label values)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match is not None and match.view_name else "unmatched"
        REQUEST_LATENCY.labels(request.method or "", route, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response

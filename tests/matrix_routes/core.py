"""Project-level routes outside the apps' own URL files."""

from django.urls import reverse

from tests.matrix_common import Route

ROUTES = {
    "healthz": Route(lambda w, t: reverse("healthz"), lambda r, t: 200),
    # Readiness is for the load balancer: the same machine-readable answer for everyone.
    "readyz": Route(lambda w, t: reverse("readyz"), lambda r, t: 200),
    # Metrics: by token or allowed address, not by role; the test client comes from 127.0.0.1 (allowed).
    "metrics": Route(lambda w, t: reverse("metrics"), lambda r, t: 200),
}

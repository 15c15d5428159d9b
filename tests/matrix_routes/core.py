"""Project-level routes outside the apps' own URL files."""

from django.urls import reverse

from tests.matrix_common import Route

ROUTES = {
    "healthz": Route(lambda w, t: reverse("healthz"), lambda r, t: 200),
}

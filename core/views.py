import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from core import health, metrics
from core.customer_centre import customer_centre
from core.ratelimit import client_address


def help_page(request: HttpRequest) -> HttpResponse:
    """Public: how to reach the customer centre, and when: the hours staff edit in the portal (through
    core.customer_centre), not the settings' defaults the layout's footer shows."""
    return render(request, "core/help.html", {"customer_centre": customer_centre()})


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the load balancer (and the benchmarks' trivial baseline): no database, no template."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, machine-readable: 200 when the database and Redis answer, else 503; with the queue's
    backlog and age, the outbox and the certificates' days left for monitoring."""
    ready, report = health.readiness()
    return JsonResponse(report, status=200 if ready else 503)


def _may_read_metrics(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    return client_address(request) in settings.METRICS_ALLOWED_IPS


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a bearer token (METRICS_TOKEN) or an allowed address; a 404 for others."""
    if not _may_read_metrics(request):
        raise Http404
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie), and for a logged-in person also their saved choice, which
    e-mails to them follow."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and code in dict(settings.LANGUAGES) and getattr(user, "language", code) != code:
        user.language = code  # type: ignore[union-attr]  # authenticated: a User, not AnonymousUser
        user.save(update_fields=["language"])  # type: ignore[union-attr]  # ditto
    return response

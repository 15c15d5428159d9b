from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def help_page(request: HttpRequest) -> HttpResponse:
    """Public: how to reach the customer centre, and when."""
    return render(request, "core/help.html")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the load balancer (and the benchmarks' trivial baseline): no database, no template."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

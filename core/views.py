from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.customer_centre import customer_centre


def help_page(request: HttpRequest) -> HttpResponse:
    """Public: how to reach the customer centre, and when: the hours staff edit in the portal (through
    core.customer_centre), not the settings' defaults the layout's footer shows."""
    return render(request, "core/help.html", {"customer_centre": customer_centre()})


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the load balancer (and the benchmarks' trivial baseline): no database, no template."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

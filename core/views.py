from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def help_page(request: HttpRequest) -> HttpResponse:
    """Public: how to reach the customer centre, and when."""
    return render(request, "core/help.html")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the load balancer (and the benchmarks' trivial baseline): no database, no template."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie), and for a logged-in person also their saved choice, which
    e-mails to them follow."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and code in dict(settings.LANGUAGES) and getattr(user, "language", code) != code:
        user.language = code  # type: ignore[union-attr]
        user.save(update_fields=["language"])  # type: ignore[union-attr]
    return response

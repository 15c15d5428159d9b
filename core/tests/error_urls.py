"""The portal's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from core.exceptions import PermissionDeniedWithReason
from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _bad(request: HttpRequest) -> HttpResponse:
    raise BadRequest("nonsense")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal detail that must not be shown")


def _forbidden_with_reason(request: HttpRequest) -> HttpResponse:
    raise PermissionDeniedWithReason("Your delegation for Ringsaker expired on 1 March.")


@csrf_protect
def _form(request: HttpRequest) -> HttpResponse:
    return HttpResponse("saved")


urlpatterns = [
    path("__test__/boom/", _boom),
    path("__test__/bad/", _bad),
    path("__test__/forbidden/", _forbidden),
    path("__test__/forbidden-reason/", _forbidden_with_reason),
    path("__test__/form/", _form),
    *portal_urlpatterns,
]

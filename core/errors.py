"""The portal's error pages: 400, 403, 404, 500 and a refused form (CSRF), in the portal's layout and
the user's language, saying what happened in plain words and how to get help.

They never tell whether a hidden object exists: a 404 reads the same for a page that is not there and
for one the user may not see. A 403 shows its reason only when the view raised
``PermissionDeniedWithReason`` (the reason is the user's own). A refusal of an action on an object
(``ActionDenied``) is recorded in the audit trail (``core.access``). The 500 page is rendered without the
layout's context processors, so that it still works when the database is what failed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.access import record_denied
from core.exceptions import PermissionDeniedWithReason
from core.permissions import ActionDenied
from core.request_id import current_request_id
from core.stacks import API_PREFIX

logger = logging.getLogger(__name__)


def _render(request: HttpRequest, template: str, status: int, context: dict[str, object]) -> HttpResponse:
    context = {**context, "request_id": current_request_id(), "status": status}
    try:
        body = loader.render_to_string(template, context, request=request)
    except Exception:  # the layout itself failed (e.g. the database is down): the plain page still works
        logger.exception("The %s page could not be rendered with the layout", status)
        body = loader.render_to_string("errors/500.html", {**context, "customer_centre": _customer_centre()})
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _customer_centre() -> dict[str, str]:
    return {
        "phone": settings.CUSTOMER_CENTRE_PHONE,
        "email": settings.CUSTOMER_CENTRE_EMAIL,
        "hours": settings.CUSTOMER_CENTRE_HOURS,
    }


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/400.html", 400, {})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, ActionDenied) and exception.obj is not None:
        try:
            record_denied(request.user, exception.obj, action=str(exception.action), path=request.path)
        except DatabaseError:  # the refusal is still answered; the log says the record is missing
            logger.exception("A refused access could not be recorded in the audit trail")
    reason = exception.message if isinstance(exception, PermissionDeniedWithReason) else ""
    return _render(request, "errors/403.html", 403, {"reason": reason})


API_NOT_FOUND_TYPE = "https://medlemsportal.nhn.no/api/problems/not-found"  # as integrations.api's problems


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        # A path no API operation matches (a malformed identifier, say): the API's own answer, a problem document.
        body = {
            "type": API_NOT_FOUND_TYPE,
            "title": _("Not found"),
            "status": 404,
            "detail": _("There is nothing here this token may see."),
            "instance": request.path,
        }
        return JsonResponse(body, status=404, content_type="application/problem+json")
    return _render(request, "errors/404.html", 404, {})


def payload_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413: what was sent is larger than this page accepts (the body was not read)."""
    response = _render(request, "errors/413.html", 413, {"limit": limit})
    response["Connection"] = "close"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    context = {"customer_centre": _customer_centre(), "request_id": current_request_id(), "status": 500}
    body = loader.render_to_string("errors/500.html", context)
    return HttpResponse(body, status=500, content_type="text/html; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF_FAILURE_VIEW: the form was refused (expired page, blocked cookies, another site)."""
    logger.warning("Form refused by the CSRF check: %s", reason)
    return _render(request, "errors/csrf.html", 403, {"title": _("The form could not be sent")})

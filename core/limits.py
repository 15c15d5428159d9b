"""Request body limits per route, enforced before the body is read.

Every request's declared ``Content-Length`` is checked against the default limit; a larger one is
allowed only on a route with its own, larger limit (the public verification upload, imports, incident
attachments). A request over its limit gets a 413 without a byte of its body read. Django itself reads
no more than ``Content-Length`` (a body without one is empty to it), and the stream is capped at the
limit as well, so a lying client cannot push more through. Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` still
caps the form fields held in memory; files above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` go to a temporary file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)


def route_limits() -> dict[str, int]:
    """URL name → the largest body it accepts, in bytes (the default covers every other route)."""
    envelope = 256 * 1024  # the form's other fields and the multipart framing
    return {
        "memberships:verify": settings.VERIFY_UPLOAD_MAX_BYTES + envelope,
        "connections:connection_import": settings.IMPORT_MAX_BYTES + envelope,
        "advisories:import": settings.IMPORT_MAX_BYTES + envelope,
        "incidents:report": 5 * settings.INCIDENT_ATTACHMENT_MAX_BYTES + envelope,
    }


def limit_for(request: HttpRequest) -> int:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return settings.REQUEST_BODY_MAX_BYTES
    return max(settings.REQUEST_BODY_MAX_BYTES, route_limits().get(match.view_name, 0))


class BodyLimitMiddleware:
    """Before the CSRF check (which reads the form): refuse an oversized body by its declared length."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            from django.contrib.auth.models import AnonymousUser

            from core.errors import bad_request

            if not hasattr(request, "user"):
                request.user = AnonymousUser()
            return bad_request(request)
        if length > settings.REQUEST_BODY_MAX_BYTES:
            limit = limit_for(request)  # the URL is resolved only for a large body
            if length > limit:
                logger.warning("Refused a %s-byte body on %s (limit %s)", length, request.path_info, limit)
                from django.contrib.auth.models import AnonymousUser

                from core.errors import payload_too_large

                if not hasattr(request, "user"):
                    request.user = AnonymousUser()  # the page is rendered before authentication runs
                request._stream = LimitedStream(request._stream, 0)  # type: ignore[assignment,arg-type]  # HttpRequest's private stream: emptied so nothing reads the refused body
                return payload_too_large(request, limit)
        return self.get_response(request)

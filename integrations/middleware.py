"""The API stack (``settings.API_MIDDLEWARE``, see ``core.stacks``): what a request with a bearer token
passes after the shared head, instead of the browser stack."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# A JSON answer loads nothing and is framed by no one (OWASP's REST security headers); the API's docs
# page, opened by a person without a token, has the browser stack's CSP.
CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
NO_STORE = "no-store, private"


class TokenRequestMiddleware:
    """No person is signed in on a token's request (code that asks ``request.user`` finds no one; the token
    is ``request.token_check``, set by ``integrations.api.TokenAuth``), and what the token reads is
    never stored by a cache on the way (ASVS 8.2.1, as pages for a signed-in person)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        response = self.get_response(request)
        if "Cache-Control" in response:
            patch_cache_control(response, no_store=True, private=True)
        else:  # as patch_cache_control would set it, without parsing a header that is not there
            response["Cache-Control"] = NO_STORE
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

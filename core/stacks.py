"""Two middleware stacks behind one shared head: a person's, and the token API's.

``settings.MIDDLEWARE`` is the head every request passes (request id, metrics, security headers, static
files, language, the body limit, framing and permissions policy) and ends in ``StackMiddleware``. It sends
a **token API request** — a path under ``API_PREFIX`` with an ``Authorization: Bearer`` header — on
through ``settings.API_MIDDLEWARE``, and every other request through ``settings.BROWSER_MIDDLEWARE``
(sessions, CSRF, sign-in, the second factor, messages, the idle time-out, django-axes, the nonce CSP,
htmx, no-store for a signed-in person).

A token request carries no cookie that authenticates it: its bearer token is checked by the API itself
(``integrations.api.TokenAuth``). A session, a CSRF token, a signed-in user, a second factor, a flash
message or a lockout counter would be work done for nothing on every call — and the member lookup, the
hottest read the portal has, is one of them (docs/benchmarks.md, "The member-service API"). A request
to the API *without* a bearer token (the API's docs and schema opened by a signed-in person, a call that
forgot its token) is a person's request and passes the whole browser stack.

Each stack is built as Django builds ``MIDDLEWARE`` (``BaseHandler.load_middleware``, synchronous): each
middleware wraps the rest, an exception inside one becomes the error response, a ``MiddlewareNotUsed``
leaves it out, and its ``process_view``, ``process_template_response`` and ``process_exception`` hooks run
in Django's order, for the requests of its own stack only.

Django's system checks look for the session, CSRF, authentication and messages middleware in
``MIDDLEWARE`` by name; ``check_stacks`` (registered in ``core.apps``) asks the same of
``BROWSER_MIDDLEWARE`` instead, and settings silence the checks it takes over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

API_PREFIX = "/api/"
BEARER = "bearer "
# The middleware a person's request must pass, which Django's own checks look for in MIDDLEWARE
# (admin.E408–E410, security.W003) and django-axes' (axes.W002): check_stacks looks in BROWSER_MIDDLEWARE.
BROWSER_REQUIRED = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
)

Handler = Callable[[HttpRequest], HttpResponse]


def is_token_api_request(request: HttpRequest) -> bool:
    """A call to the API that brings its own bearer token (the scheme's name is case-insensitive)."""
    return (
        request.path_info.startswith(API_PREFIX)
        and request.META.get("HTTP_AUTHORIZATION", "")[: len(BEARER)].lower() == BEARER
    )


class Stack:
    """One list of middleware around the rest of the chain, with its hooks in Django's order."""

    def __init__(self, paths: list[str], get_response: Handler) -> None:
        self.view_hooks: list[Callable[..., HttpResponse | None]] = []
        self.template_response_hooks: list[Callable[..., HttpResponse]] = []
        self.exception_hooks: list[Callable[..., HttpResponse | None]] = []
        handler: Callable[[HttpRequest], Any] = get_response  # Django's wrapper is typed for async too
        for path in reversed(paths):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self.view_hooks.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self.template_response_hooks.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self.exception_hooks.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self.chain: Handler = handler


class StackMiddleware:
    """Last in ``MIDDLEWARE``: the rest of the chain is the browser stack or the API stack, by request."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Handler) -> None:
        self.browser = Stack(settings.BROWSER_MIDDLEWARE, get_response)
        self.api = Stack(settings.API_MIDDLEWARE, get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stack = self.api if is_token_api_request(request) else self.browser
        request.middleware_stack = stack  # type: ignore[attr-defined]  # the hooks below run this stack's
        return stack.chain(request)

    @staticmethod
    def _stack(request: HttpRequest) -> Stack:
        stack: Stack = request.middleware_stack  # type: ignore[attr-defined]  # set by __call__
        return stack

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        for hook in self._stack(request).view_hooks:
            response = hook(request, view, args, kwargs)
            if response is not None:
                return response
        return None

    def process_template_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for hook in self._stack(request).template_response_hooks:
            response = hook(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        for hook in self._stack(request).exception_hooks:
            response = hook(request, exception)
            if response is not None:
                return response
        return None


def check_stacks(**kwargs: Any) -> list[CheckMessage]:
    """The middleware a person's request must pass are in BROWSER_MIDDLEWARE, and the split is in force."""
    errors: list[CheckMessage] = []
    if "core.stacks.StackMiddleware" not in settings.MIDDLEWARE:
        return errors  # one stack (a test's own MIDDLEWARE): Django's own checks apply to it
    if settings.MIDDLEWARE[-1] != "core.stacks.StackMiddleware":
        errors.append(Error("core.stacks.StackMiddleware must be last in MIDDLEWARE.", id="core.E101"))
    errors += [
        Error(f"{path} must be in BROWSER_MIDDLEWARE.", id="core.E102")
        for path in BROWSER_REQUIRED
        if path not in settings.BROWSER_MIDDLEWARE
    ]
    return errors

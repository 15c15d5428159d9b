"""core.stacks: the shared head, then the browser stack or the token API's, each built as Django builds
MIDDLEWARE (hooks in Django's order, MiddlewareNotUsed left out, an exception turned into a response).

The stacks here are recording middleware on this module's own URLs; integrations/tests/test_api_stack.py
shows the portal's real stacks at work on the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines
from django.template.response import SimpleTemplateResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from core.stacks import check_stacks, is_token_api_request

CALLS: list[str] = []
HERE = "core.tests.test_stacks"


class Recorder:
    name = ""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        CALLS.append(f"{self.name} in")
        response: HttpResponse = self.get_response(request)
        CALLS.append(f"{self.name} out")
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        CALLS.append(f"{self.name} view")
        return None

    def process_template_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        CALLS.append(f"{self.name} template")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        CALLS.append(f"{self.name} exception")
        return None


class One(Recorder):
    name = "one"


class Two(Recorder):
    name = "two"


class Api(Recorder):
    name = "api"


class Unused:
    def __init__(self, get_response: Any) -> None:
        raise MiddlewareNotUsed


class Refuses(Recorder):
    name = "refuses"

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        CALLS.append("refuses view")
        return HttpResponse("refused", status=403)


class Handles(Recorder):
    name = "handles"

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        CALLS.append("handles exception")
        return HttpResponse("handled", status=418)


class NotFound(Recorder):
    name = "not-found"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise Http404


def plain(request: HttpRequest) -> HttpResponse:
    CALLS.append("view")
    return HttpResponse("ok")


def template(request: HttpRequest) -> HttpResponse:
    CALLS.append("view")
    return SimpleTemplateResponse(engines["django"].from_string("ok"))


def boom(request: HttpRequest) -> HttpResponse:
    CALLS.append("view")
    raise ValueError("boom")


urlpatterns = [
    path("page/", plain),
    path("template/", template),
    path("boom/", boom),
    path("api/v1/plain/", plain),
]


def stacks(*browser: str, api: tuple[str, ...] = ("Api",)) -> Any:
    return override_settings(
        ROOT_URLCONF=HERE,
        MIDDLEWARE=["core.stacks.StackMiddleware"],
        BROWSER_MIDDLEWARE=[f"{HERE}.{name}" for name in browser],
        API_MIDDLEWARE=[f"{HERE}.{name}" for name in api],
    )


@pytest.fixture(autouse=True)
def _calls() -> Any:
    CALLS.clear()
    yield
    CALLS.clear()


BEARER = {"HTTP_AUTHORIZATION": "Bearer mpt_x"}


def test_a_persons_request_passes_the_browser_stack_with_its_hooks_in_djangos_order() -> None:
    with stacks("One", "Unused", "Two"):
        assert Client().get("/page/").status_code == 200
    assert CALLS == ["one in", "two in", "one view", "two view", "view", "two out", "one out"]


def test_a_token_api_request_passes_the_api_stack_and_none_of_the_browser_stack() -> None:
    with stacks("One", "Two"):
        assert Client().get("/api/v1/plain/", **BEARER).status_code == 200
    assert CALLS == ["api in", "api view", "view", "api out"]


def test_the_api_without_a_token_is_a_persons_request() -> None:
    with stacks("One"):
        Client().get("/api/v1/plain/")
        Client().get("/api/v1/plain/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert CALLS == ["one in", "one view", "view", "one out"] * 2


def test_template_responses_and_exceptions_reach_the_hooks_innermost_first() -> None:
    with stacks("One", "Two"):
        assert Client().get("/template/").status_code == 200
    assert [c for c in CALLS if c.endswith("template")] == ["two template", "one template"]
    CALLS.clear()
    with stacks("One", "Handles", "Two"):
        response = Client().get("/boom/")
    assert (response.status_code, response.content) == (418, b"handled")
    assert [c for c in CALLS if c.endswith("exception")] == ["two exception", "handles exception"]


def test_a_view_hook_that_answers_stops_the_rest_and_the_view() -> None:
    with stacks("One", "Refuses", "Two"):
        assert Client().get("/page/").status_code == 403
    assert "two view" not in CALLS and "view" not in CALLS


def test_an_exception_in_a_middleware_of_a_stack_becomes_the_error_response() -> None:
    with stacks("One", "NotFound", api=("NotFound",)):
        assert Client().get("/page/").status_code == 404
        assert Client().get("/api/v1/plain/", **BEARER).status_code == 404
    assert CALLS == ["one in", "one out"]


@pytest.mark.parametrize(
    ("path", "authorization", "expected"),
    [
        ("/api/v1/members/", "Bearer mpt_x", True),
        ("/api/v1/members/", "bearer mpt_x", True),
        ("/api/v1/members/", "BEARER mpt_x", True),
        ("/api/v1/docs/", "", False),
        ("/api/v1/members/", "Basic dXNlcjpwYXNz", False),
        ("/api/v1/members/", "Bearermpt_x", False),
        ("/organisations/", "Bearer mpt_x", False),
        ("/apiv1/", "Bearer mpt_x", False),
    ],
)
def test_what_is_a_token_api_request(path: str, authorization: str, expected: bool) -> None:
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    assert is_token_api_request(RequestFactory().get(path, **extra)) is expected


def test_the_checks_hold_the_browser_stack_to_what_djangos_checks_ask_of_middleware() -> None:
    assert check_stacks() == []
    from django.conf import settings

    browser = [m for m in settings.BROWSER_MIDDLEWARE if m != "django.middleware.csrf.CsrfViewMiddleware"]
    with override_settings(BROWSER_MIDDLEWARE=browser):
        assert [(e.id, e.msg) for e in check_stacks()] == [
            ("core.E102", "django.middleware.csrf.CsrfViewMiddleware must be in BROWSER_MIDDLEWARE.")
        ]
    with override_settings(MIDDLEWARE=["core.stacks.StackMiddleware", *settings.MIDDLEWARE[:-1]]):
        assert [e.id for e in check_stacks()] == ["core.E101"]
    with override_settings(MIDDLEWARE=settings.MIDDLEWARE[:-1]):
        assert check_stacks() == []  # one stack, which Django's own checks look at

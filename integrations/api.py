"""The member-service API, version 1: django-ninja, token authentication, rate limit, problem details.

django-ninja generates OpenAPI 3.1 from the typed functions and pydantic schemas (``endpoints.py``,
``schemas.py``), so the schema cannot drift from the code. Every error is an RFC 9457 problem
(``application/problem+json``) whose title and detail are translated (Accept-Language, as the pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from core.principals import TokenPrincipal
from integrations import member_cache
from integrations.models import ApiToken
from integrations.services import TokenCheck, api_token_authenticate, api_token_check

PROBLEM_BASE = "https://medlemsportal.nhn.no/api/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class ProblemError(Exception):
    """An error with its own problem type, e.g. the lookup's "not a valid organisation number"."""

    def __init__(self, status: int, kind: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mpt_…``. A revoked, expired or unknown token, or one whose owner is
    deactivated, is refused on the very next request: the check is cached, and forgotten whenever the
    token, its owner or their roles change (``integrations.services.api_token_check``)."""

    def authenticate(self, request: HttpRequest, token: str) -> TokenCheck | None:
        # The member lookup's cached answer is read with the token check, and the token's request counted
        # against its budget (the portal's one rate-limit mechanism, core.ratelimit: per token, shared by
        # every node), in one round trip.
        prefetched = member_cache.prefetch_keys(request)
        check = api_token_check(token, prefetched, rate=f"{settings.API_RATE_LIMIT_PER_MINUTE}/minute")
        if prefetched:
            request.member_cache_prefetch = prefetched  # type: ignore[attr-defined]  # read by the lookup
        if not check.valid:
            return None
        request.token_check = check  # type: ignore[attr-defined]  # the API request carries its token (request_token)
        request.principal = TokenPrincipal(  # type: ignore[attr-defined]  # and whom it acts as
            token_id=check.token_id, organisation_id=check.organisation_id
        )
        if not check.verdict.allowed:
            raise RateLimited(check.verdict.retry_after)
        if request.method not in SAFE_METHODS and not check.write_enabled:
            raise PermissionDenied(_("This token may only read."))
        return check


def request_token(request: HttpRequest) -> ApiToken:
    """The token an API request was made with (``TokenAuth`` checked it)."""
    token: ApiToken | None = request.token_check.token  # type: ignore[attr-defined]  # set by TokenAuth
    if token is None:
        raise PermissionDenied
    return token


# OpenAPI links: how a client (and schemathesis' stateful phase) goes from a list to an object and on.
LINKS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "members_list": {"Member": ("member_lookup", {"orgnr": "$response.body#/results/0/orgnr"})},
    "member_lookup": {
        "Authorisations": ("member_authorisations", {"orgnr": "$response.body#/orgnr"}),
    },
    "authorisations_list": {"Member": ("member_lookup", {"orgnr": "$response.body#/results/0/orgnr"})},
    "services_list": {"Service": ("service_detail", {"slug": "$response.body#/0/slug"})},
    "orders_list": {"Order": ("order_detail", {"order_id": "$response.body#/results/0/id"})},
    "order_detail": {
        "Comment": ("order_comment", {"order_id": "$response.body#/id"}),
        "Cancel": ("order_cancel", {"order_id": "$response.body#/id"}),
    },
    "advisories_list": {"Advisory": ("advisory_detail", {"advisory_id": "$response.body#/results/0/id"})},
    "advisory_detail": {"Acknowledge": ("advisory_acknowledge", {"advisory_id": "$response.body#/id"})},
}


class PortalNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Errors are documented as ``application/problem+json``, as they are sent; links join operations."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                links = LINKS.get(operation.get("operationId", ""), {})
                if links and "200" in operation.get("responses", {}):
                    operation["responses"]["200"]["links"] = {
                        name: {"operationId": target, "parameters": parameters}
                        for name, (target, parameters) in links.items()
                    }
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content.pop("application/json")}
                    if int(code) == 429:
                        response["headers"] = {
                            "Retry-After": {
                                "description": "Seconds until the token may call again",
                                "schema": {"type": "integer"},
                                "required": True,
                            }
                        }
        return schema


def _schema_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the docs are not public: a signed-in person or a valid token (SECURITY.md T24)."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.partition(" ")
        if request.user.is_authenticated or (scheme.lower() == "bearer" and api_token_authenticate(raw.strip())):
            return view(request, *args, **kwargs)
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())

    return wrapped


api = PortalNinjaAPI(
    title="Medlemsportal member service",
    version="1",
    description=(
        "Who is a member of Helsenettet, the service catalogue, and which organisation holds which service "
        "under which terms; an organisation's own orders and security advisories. See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    openapi_url="/schema/",
    docs_url="/docs/",
    docs_decorator=_schema_access,
)


def problem(
    request: HttpRequest,
    status: int,
    kind: str,
    title: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ProblemError)
def _problem_error(request: HttpRequest, exc: ProblemError) -> HttpResponse:
    return problem(request, exc.status, exc.kind, exc.title, exc.detail)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        401,
        "unauthenticated",
        _("Not authenticated"),
        _("Send a valid, unexpired API token: Authorization: Bearer <token>."),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return problem(
        request,
        429,
        "rate-limited",
        _("Too many requests"),
        _("This token has made too many requests; try again in %(seconds)s seconds.") % {"seconds": exc.retry_after},
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(
        request, 403, "forbidden", _("Not allowed"), str(exc) or _("This token may not do this with this object.")
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    detail = str(exc) if exc.args and isinstance(exc.args[0], str) else ""
    return problem(request, 404, "not-found", _("Not found"), detail or _("There is nothing here this token may see."))


def _messages(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = _messages(exc)
    first = next(iter(errors.values()), [""])[0]
    return problem(request, 400, "invalid", _("The request cannot be carried out"), first, errors)


@api.exception_handler(NinjaValidationError)
def _malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path"))
        errors.setdefault(location or "__all__", []).append(str(error.get("msg", "")))
    return problem(
        request, 400, "malformed", _("Malformed request"), _("Some parameters are missing or wrong."), errors
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, "error", _("Request failed"), str(exc))


api.add_router("/", "integrations.endpoints.router")
api.add_router("/", "integrations.own_endpoints.router")

"""The operations of /api/v1/. Reads use the pages' querysets and the permission module with the token's
principal; writes call the services the forms call, as the token's owner."""

import datetime as dt
from functools import wraps
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from agreements.models import Service, ServiceAgreement
from core.permissions import Action, OrganisationRef, get_visible_or_404, require, visibility, visibility_key
from integrations import member_cache
from integrations.api import ProblemError, api, request_token
from integrations.filters import AuthorisationFilter, MemberFilter
from integrations.pagination import MAX_ID, PortalCursorPagination
from integrations.schemas import (
    AuthorisationOut,
    MemberOut,
    Problem,
    ServiceOut,
)
from memberships.choices import MembershipState
from memberships.models import MembershipTransition
from organisations.models import Organisation
from organisations.validators import validate_org_number

router = Router()

ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 429: Problem}
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]  # a database id: beyond 64 bits is no id
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: Problem}
MEMBER_STATES = frozenset({MembershipState.ACTIVE, MembershipState.MUST_RESIGN})
OrgForm = Literal[
    "KOMM", "FYLK", "AS", "ASA", "ENK", "HF", "IKS", "KF", "ORGL", "STAT", "SA", "STI", "FLI", "ANS", "DA", "NUF"
]
MembershipStateName = Literal["not_member", "invited", "active", "must_resign", "suspended", "terminated"]


def _principal(request: HttpRequest) -> Any:
    return request.principal  # type: ignore[attr-defined]  # set by api.TokenAuth


# A timestamp as RFC 3339 text only: pydantic's lax mode would also take a number as Unix time.
ChangedSince = Annotated[
    str | None,
    Field(
        default=None,
        json_schema_extra={"format": "date-time"},
        description="Only what changed at or after this time (RFC 3339, e.g. 2026-12-01T00:00:00Z)",
        max_length=40,
    ),
]


def _filtered(filterset_class: Any, filters: Schema, queryset: QuerySet[Any]) -> QuerySet[Any]:
    data = {k: v for k, v in filters.dict().items() if v is not None}
    if "changed_since" in data:
        try:
            moment = parse_datetime(data["changed_since"])
        except ValueError:
            moment = None
        try:
            # In UTC: PostgreSQL takes offsets up to ±15:59 only, RFC 3339 up to ±23:59.
            data["changed_since"] = moment.astimezone(dt.UTC).isoformat() if moment and moment.tzinfo else None
        except OverflowError:
            data["changed_since"] = None
        if data["changed_since"] is None:
            raise ValidationError({"changed_since": [_("Give a time with its offset, e.g. 2026-12-01T00:00:00Z.")]})
    filterset = filterset_class(data=data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({field: list(errors) for field, errors in filterset.errors.items()})
    return filterset.qs


def _own_organisation(request: HttpRequest) -> Organisation:
    organisation = request_token(request).organisation
    if organisation is None:
        raise PermissionDenied(_("Only an organisation's own token reads its orders and security advisories."))
    return organisation


# --- members --------------------------------------------------------------------------------------


def _members(request: HttpRequest) -> QuerySet[Any]:
    """The organisations the token may see, each with the time of its membership's last change."""
    since = MembershipTransition.objects.filter(membership=OuterRef("membership")).order_by("-at").values("at")[:1]
    return (
        Organisation.objects.visible_to(_principal(request))
        .filter(org_number__isnull=False)
        .annotate(membership_since=Subquery(since))
    )


# A member is read as plain values of the columns it answers with: one narrow query, no model instances
# (the lookup is the hottest read of the API, the list the next; bench/api.py measures both).
MEMBER_FIELDS = (
    "pk",
    "org_number",
    "name",
    "form",
    "updated_at",
    "municipality__number",
    "municipality__name",
    "municipality__county__number",
    "address_municipality__number",
    "address_municipality__name",
    "address_municipality__county__number",
    "membership__state",
    "membership__created_at",
    "membership__updated_at",
    "membership__signed_version__label",
)


def _member(row: dict[str, Any]) -> dict[str, Any]:
    """A member (MemberOut) from a row of MEMBER_FIELDS."""
    state = row["membership__state"] or MembershipState.NOT_MEMBER
    where = "municipality" if row["municipality__number"] else "address_municipality"
    has_membership = row["membership__state"] is not None
    return {
        "orgnr": row["org_number"],
        "name": row["name"],
        "form": row["form"],
        "municipality": (
            {
                "number": row[f"{where}__number"],
                "name": row[f"{where}__name"],
                "county": row[f"{where}__county__number"],
            }
            if row[f"{where}__number"]
            else None
        ),
        "membership": {
            "state": state,
            "is_member": state in MEMBER_STATES,
            "since": row["membership_since"] or (row["membership__created_at"] if has_membership else None),
            "terms_version": row["membership__signed_version__label"],
        },
        "updated_at": (max(row["updated_at"], row["membership__updated_at"]) if has_membership else row["updated_at"]),
    }


class MemberFilters(Schema):
    changed_since: ChangedSince = None
    county: str | None = None
    diginettverk: Annotated[int | None, Field(default=None, ge=1, le=MAX_ID)] = None
    form: OrgForm | None = None
    status: MembershipStateName | None = None
    service: str | None = None


class _MemberPage(Schema):
    """A page of the member list as django-ninja's cursor pagination answers it (its ``Output``, in order)."""

    previous: str | None
    next: str | None
    results: list[MemberOut]


def _page_cached(view: Any) -> Any:
    """The member list's page, rendered, from the cache (``integrations.member_cache.LIST``: dropped by
    every change to what a page shows or filters on), under the full URL (filters, cursor, page size, and
    the host the next page's link names) and whom the token may see. The permission check runs first, on
    every request; invalid filters or cursors raise before anything is kept."""

    @wraps(view)
    def page(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        principal = _principal(request)
        require(principal, Action.ORGANISATION_LIST)

        def render() -> bytes:
            data = _MemberPage.model_validate(view(request, **kwargs))
            dumped = data.model_dump(context={"request": request, "response_status": 200})
            return api.renderer.render(request, dumped, response_status=200).encode()

        parts = (visibility_key(principal), request.build_absolute_uri())
        # The generation as the token check read it, in its round trip (member_cache.prefetch_keys).
        prefetched = getattr(request, "member_cache_prefetch", None) or {}
        body = member_cache.LIST.cached("page", parts, render, current=prefetched.get(member_cache.LIST.key))
        return HttpResponse(body, content_type=api.get_content_type())

    return page


@router.get("/members/", response={200: list[MemberOut], **ERRORS}, tags=["members"], operation_id="members_list")
@_page_cached
@paginate(PortalCursorPagination, ordering=("org_number",))
def members_list(request: HttpRequest, filters: Query[MemberFilters]) -> Any:
    """The member register: every organisation a national token may see, with its membership."""
    require(_principal(request), Action.ORGANISATION_LIST)
    return _MemberRows(_filtered(MemberFilter, filters, _members(request)))


class _MemberRows:
    """A queryset the paginator can slice and order, rendering each organisation as a member on the way."""

    def __init__(self, queryset: QuerySet[Organisation]) -> None:
        self.queryset = queryset

    def order_by(self, *fields: str) -> "_MemberRows":
        return _MemberRows(self.queryset.order_by(*fields))

    def filter(self, *args: Any, **kwargs: Any) -> "_MemberRows":
        return _MemberRows(self.queryset.filter(*args, **kwargs))

    def __getitem__(self, index: Any) -> Any:
        return [_MemberRow(row) for row in self.queryset.values(*MEMBER_FIELDS, "membership_since")[index]]

    def count(self) -> int:
        return self.queryset.count()


class _MemberRow(dict):  # type: ignore[type-arg,unused-ignore]  # a plain row dict for pydantic
    """A member as a dict, keeping the organisation number the cursor positions on."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__(_member(row))
        self.org_number = row["org_number"]


def _lookup_number(orgnr: str) -> str:
    try:
        validate_org_number(orgnr)
    except ValidationError as error:
        raise ProblemError(400, "invalid-orgnr", _("Not a valid organisation number"), error.messages[0]) from None
    return orgnr


@router.get("/members/{orgnr}", response={200: MemberOut, **ERRORS}, tags=["members"], operation_id="member_lookup")
def member_lookup(request: HttpRequest, orgnr: str) -> Any:
    """Is this organisation a member? 404 for a number the portal does not know, 400 for one that is not a
    valid organisation number (nine digits, MOD11)."""
    _lookup_number(orgnr)
    principal = _principal(request)
    scope = visibility(principal)
    # The answer, rendered, from the shared cache (integrations.member_cache) when the token may see the
    # organisation; the same scope and permission checks as the query below, on every request.
    prefetched = getattr(request, "member_cache_prefetch", None)
    generation, cached = member_cache.read(orgnr, prefetched) if not scope.network_ids else (None, None)
    if cached is not None:
        organisation_id, body = cached
        if not (scope.everything or organisation_id in scope.organisation_ids):
            raise _unknown_organisation(orgnr)
        require(principal, Action.ORGANISATION_VIEW, OrganisationRef(organisation_id, orgnr))
        return HttpResponse(body, content_type=api.get_content_type())
    row = _members(request).filter(org_number=orgnr).values(*MEMBER_FIELDS, "membership_since").first()
    if row is None:
        raise _unknown_organisation(orgnr)
    require(principal, Action.ORGANISATION_VIEW, Organisation(pk=row["pk"], org_number=row["org_number"]))
    # Rendered as django-ninja renders a MemberOut (validated, dumped, JSON-encoded by the API's renderer).
    data = MemberOut.model_validate(_member(row)).model_dump(context={"request": request, "response_status": 200})
    body = api.renderer.render(request, data, response_status=200).encode()
    member_cache.remember(orgnr, generation, row["pk"], body)
    return HttpResponse(body, content_type=api.get_content_type())


def _unknown_organisation(orgnr: str) -> ProblemError:
    return ProblemError(
        404,
        "unknown-organisation",
        _("Unknown organisation"),
        _("No organisation with number %(orgnr)s is known to this token; it is not a member.") % {"orgnr": orgnr},
    )


@router.get(
    "/members/{orgnr}/authorisations",
    response={200: list[AuthorisationOut], **ERRORS},
    tags=["authorisations"],
    operation_id="member_authorisations",
)
def member_authorisations(request: HttpRequest, orgnr: str) -> Any:
    """The services one organisation holds, under which terms, since when."""
    _lookup_number(orgnr)
    org = get_visible_or_404(
        Organisation.objects.all(), _principal(request), Action.SERVICE_AGREEMENTS_VIEW, org_number=orgnr
    )
    agreements = ServiceAgreement.objects.live().filter(organisation=org).select_related("service", "terms_version")
    return [_authorisation(a, org.org_number or "") for a in agreements]


# --- services and authorisations --------------------------------------------------------------------


def _service(service: Service) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "name": service.name,
        "short_description": service.short_description,
        "category": service.category,
        "lifecycle": service.lifecycle,
        "orderable": service.is_orderable,
        "orderable_forms": list(service.orderable_forms or []),
        "requires_membership": service.requires_membership,
        "prerequisites": [p.slug for p in service.prerequisites.all()],
        "pilot_from": service.pilot_from,
        "available_from": service.available_from,
        "phase_out_from": service.phase_out_from,
        "ends_on": service.ends_on,
    }


def _services() -> QuerySet[Service]:
    return Service.objects.prefetch_related(Prefetch("prerequisites", queryset=Service.objects.only("pk", "slug")))


@router.get("/services/", response={200: list[ServiceOut], **ERRORS}, tags=["services"], operation_id="services_list")
def services_list(request: HttpRequest) -> Any:
    """The service catalogue (public on the portal too), with prerequisites and lifecycle."""
    return [_service(s) for s in _services()]


@router.get("/services/{slug}", response={200: ServiceOut, **ERRORS}, tags=["services"], operation_id="service_detail")
def service_detail(request: HttpRequest, slug: str) -> Any:
    return _service(get_object_or_404(_services(), slug=slug))


def _authorisation(agreement: ServiceAgreement, orgnr: str) -> dict[str, Any]:
    return {
        "orgnr": orgnr,
        "service": {"slug": agreement.service.slug, "name": agreement.service.name},
        "state": agreement.state,
        "terms_version": agreement.terms_version.label,
        "since": agreement.started_on,
    }


class AuthorisationFilters(Schema):
    changed_since: ChangedSince = None
    county: str | None = None
    form: OrgForm | None = None
    service: str | None = None
    status: Literal["active", "must_resign"] | None = None


class _AuthorisationRow(dict):  # type: ignore[type-arg,unused-ignore]  # a plain row dict for pydantic
    def __init__(self, agreement: ServiceAgreement) -> None:
        super().__init__(_authorisation(agreement, agreement.organisation.org_number or ""))
        self.id = agreement.pk


class _AuthorisationRows(_MemberRows):
    def order_by(self, *fields: str) -> "_AuthorisationRows":
        return _AuthorisationRows(self.queryset.order_by(*fields))

    def filter(self, *args: Any, **kwargs: Any) -> "_AuthorisationRows":
        return _AuthorisationRows(self.queryset.filter(*args, **kwargs))

    def __getitem__(self, index: Any) -> Any:
        return [_AuthorisationRow(a) for a in self.queryset[index]]


@router.get(
    "/authorisations/",
    response={200: list[AuthorisationOut], **ERRORS},
    tags=["authorisations"],
    operation_id="authorisations_list",
)
@paginate(PortalCursorPagination, ordering=("id",))
def authorisations_list(request: HttpRequest, filters: Query[AuthorisationFilters]) -> Any:
    """Every organisation's authorisations (national tokens): which service, under which terms, since when."""
    principal = _principal(request)
    require(principal, Action.ORGANISATION_LIST)
    agreements = (
        ServiceAgreement.objects.live()
        .visible_to(principal)
        .filter(organisation__org_number__isnull=False)
        .select_related("service", "terms_version", "organisation")
    )
    return _AuthorisationRows(_filtered(AuthorisationFilter, filters, agreements))

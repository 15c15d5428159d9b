from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import DataKind, record_view
from core.models import AuditEvent
from core.permissions import Action, can, get_visible_or_404, require, visibility_key
from organisations import listing, services
from organisations.filters import AccessLogFilter, OrganisationFilter
from organisations.forms import RoleGrantForm
from organisations.models import Organisation, OrganisationRole
from organisations.panels import render_panels

PAGE_SIZE = 50


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.ORGANISATION_LIST)
    # The rows, the total and the filter form are the same for everyone who sees the same organisations
    # until the registry changes (organisations.listing): one generation read, then this process's memory
    # or the shared cache, keyed by the query string and whom the user sees (``visible_to`` depends on
    # nothing else). Nothing is built for a page that is cached: no filter form, no query.
    current = listing.generation()
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {"query": query.urlencode()}

    def results() -> str:
        _build(request, context, current)
        return render_to_string("organisations/partials/_results.html", context)

    parts = (visibility_key(request.user), tuple(sorted(request.GET.lists())))
    context["results"] = listing.cached("results", parts, results, current=current)
    if request.htmx:
        return render(request, "organisations/partials/_cached_results.html", context)

    def filters() -> str:
        if "filter" not in context:
            _build(request, context, current)
        return render_to_string("organisations/partials/_filters.html", {"filter": context["filter"]})

    context["filters"] = listing.cached("filters", tuple(sorted(query.lists())), filters, current=current)
    return render(request, "organisations/organisation_list.html", context)


def _build(request: HttpRequest, context: dict[str, Any], current: int) -> None:
    """The filter form and the page of organisations it selects (into ``context``)."""
    queryset = Organisation.objects.visible_to(request.user).select_related(
        "address_municipality__county", "municipality__diginettverk"
    )
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset.order_by("search_name")
    if filterset.is_bound and not filterset.is_valid():
        results = queryset.none()
    # The total (a COUNT over up to 70,000 rows) is cached on its own, under the query itself: pages of
    # one filter share it.
    key = listing.query_key(results)
    paginator = listing.CachedCountPaginator(results, PAGE_SIZE, generation=current, key=key)
    context["filter"] = filterset
    context["page"] = paginator.get_page(request.GET.get("page"))


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(
        Organisation.objects.select_related("address_municipality__county", "parent", "municipality__diginettverk"),
        request.user,
        Action.ORGANISATION_VIEW,
        pk=pk,
    )
    roles = organisation.roles.active().select_related("user").order_by("role", "user__full_name")
    may_manage = can(request.user, Action.ORGANISATION_MANAGE_ROLES, organisation)
    may_grant_signatory = can(request.user, Action.ORGANISATION_GRANT_SIGNATORY, organisation)
    record_view(request.user, organisation, kind=DataKind.CONTACTS, label=organisation.name)
    context = {
        "organisation": organisation,
        "panels": render_panels(request, organisation),
        "roles": roles,
        "may_manage": may_manage,
        "may_grant_signatory": may_grant_signatory,
        "may_see_access_log": can(request.user, Action.ORGANISATION_ACCESS_LOG, organisation),
        "form": RoleGrantForm(may_grant_signatory=may_grant_signatory) if may_manage else None,
    }
    return render(request, "organisations/organisation_detail.html", context)


@login_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who outside the organisation opened its data, or was refused: for its administrators (core.access)."""
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_ACCESS_LOG, pk=pk)
    events = AuditEvent.objects.access_to(organisation.pk).select_related("actor")
    filterset = AccessLogFilter(request.GET or None, queryset=events)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else events
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = dict(DataKind.choices)
    for event in page.object_list:
        event.kind_label = kinds.get((event.after or {}).get("kind"), "")  # type: ignore[attr-defined]  # for the row
    query = request.GET.copy()
    query.pop("page", None)
    context = {"organisation": organisation, "filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "organisations/access_log.html", context)


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_MANAGE_ROLES, pk=pk)
    may_grant_signatory = can(request.user, Action.ORGANISATION_GRANT_SIGNATORY, organisation)
    form = RoleGrantForm(request.POST, may_grant_signatory=may_grant_signatory)
    if form.is_valid():
        try:
            grant = services.role_grant(
                actor=request.user,
                organisation=organisation,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                signatory_basis=form.cleaned_data.get("signatory_basis") or "",
                valid_until=form.cleaned_data.get("valid_until"),
                override_reason=form.cleaned_data.get("override_reason") or "",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s.") % {"person": grant.user, "role": grant.get_role_display().lower()},
            )
            return redirect(organisation)
    roles = organisation.roles.active().select_related("user").order_by("role", "user__full_name")
    context = {
        "organisation": organisation,
        "roles": roles,
        "may_manage": True,
        "may_grant_signatory": may_grant_signatory,
        "form": form,
    }
    return render(request, "organisations/organisation_detail.html", context, status=400)


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.ORGANISATION_MANAGE_ROLES, pk=pk)
    grant = get_object_or_404(OrganisationRole.objects.select_related("user"), pk=role_pk, organisation=organisation)
    try:
        services.role_revoke(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(person)s no longer has the role %(role)s.")
            % {"person": grant.user, "role": grant.get_role_display().lower()},
        )
    return redirect(organisation)

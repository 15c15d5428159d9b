"""The status pages: the staff and coordinator dashboard, the list of who has not signed, and the
public figures (page and JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import Action, can, get_visible_or_404, require
from core.roles import OrganisationRoleType
from dashboards import status
from dashboards.charts import progress_svg
from dashboards.forms import StatusForm
from lib.csvsafe import to_csv
from memberships import rounds
from memberships.models import ReminderLog, TermsVersion
from organisations.choices import OrganisationForm
from organisations.models import Organisation, OrganisationRole

MUNICIPALITIES = [OrganisationForm.KOMM]
ENTERPRISES = [OrganisationForm.ENK, OrganisationForm.AS]


def _parameters(request: HttpRequest) -> tuple[StatusForm, TermsVersion | None, dt.date, dt.date | None]:
    form = StatusForm(request.GET or None)
    today = timezone.localdate()
    default_version = TermsVersion.objects.current_for(OrganisationForm.KOMM)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, data.get("version") or default_version, data.get("as_of") or today, data.get("compare")
    return form, default_version, today, None


def _compare(now: list[status.Figure], before: list[status.Figure]) -> list[dict[str, Any]]:
    earlier = {figure.key: figure for figure in before}
    rows = []
    for figure in now:
        previous = earlier.get(figure.key)
        rows.append(
            {"now": figure, "before": previous, "change": figure.signed - previous.signed if previous else None}
        )
    return rows


@login_required
def status_dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    form, version, as_of, compare = _parameters(request)
    context: dict[str, Any] = {"form": form, "version": version, "as_of": as_of, "compare": compare}
    if version is not None:
        scope = Organisation.objects.visible_to(request.user)
        national = status.figures(version, scope, as_of, forms=MUNICIPALITIES)[0]
        progress = status.progress(version, scope, as_of, forms=MUNICIPALITIES)
        groups = {}
        for group in ("diginettverk", "county"):
            now = status.figures(version, scope, as_of, group_by=group, forms=MUNICIPALITIES)
            before = status.figures(version, scope, compare, group_by=group, forms=MUNICIPALITIES) if compare else []
            groups[group] = _compare(now, before)
        weekly = [(day, count) for index, (day, count) in enumerate(progress.days) if index % 7 == 0 or day == as_of]
        description = _(
            "%(signed)s of %(total)s municipalities had signed on %(date)s. The line rises from 0 on the day the terms "
            "were published; the dashed line is the total and the red line the deadline."
        ) % {"signed": national.signed, "total": national.total, "date": as_of.strftime("%d.%m.%Y")}
        context.update(
            {
                "national": national,
                "enterprises": status.figures(version, scope, as_of, forms=ENTERPRISES)[0],
                "by_form": status.figures(version, scope, as_of, group_by="form"),
                "groups": groups,
                "progress": progress,
                "weekly": weekly,
                "chart": progress_svg(
                    progress, chart_id="progress", title=_("Municipalities signed over time"), description=description
                ),
            }
        )
    return render(request, "dashboards/status.html", context)


def _missing(request: HttpRequest, version: TermsVersion) -> QuerySet[Organisation]:
    scope = Organisation.objects.visible_to(request.user)
    last_reminder = (
        ReminderLog.objects.filter(organisation=OuterRef("pk"), terms_version=version)
        .values("organisation")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    contacts = (
        OrganisationRole.objects.active()
        .filter(role__in=[OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY])
        .select_related("user")
    )
    return (
        status.with_signed_flag(status.required_organisations(version, scope), version, timezone.localdate())
        .filter(has_signed=False)
        .annotate(last_reminder=Subquery(last_reminder))
        .select_related("address_municipality__county", "membership")
        .prefetch_related(Prefetch("roles", queryset=contacts, to_attr="contacts"))
        .order_by("form", "search_name")
    )


@login_required
def missing(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    _form, version, _as_of, _compare = _parameters(request)
    if version is None:
        raise Http404
    organisations = _missing(request, version)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/missing.html",
        {
            "version": version,
            "page": page,
            "may_remind": can(request.user, Action.STATUS_REMIND),
            "query": f"version={version.pk}",
        },
    )


@login_required
def missing_csv(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    _form, version, _as_of, _compare = _parameters(request)
    if version is None:
        raise Http404
    rows = (
        [
            org.name,
            org.org_number or "",
            org.get_form_display(),
            org.address_municipality.county.name if org.address_municipality else "",
            org.membership.get_state_display() if hasattr(org, "membership") else "",
            "; ".join(sorted({grant.user.email for grant in org.contacts})),
            timezone.localtime(org.last_reminder).strftime("%Y-%m-%d %H:%M") if org.last_reminder else "",
        ]
        for org in _missing(request, version)
    )
    header = [
        _("Name"),
        _("Organisation number"),
        _("Organisation form"),
        _("County"),
        _("Membership"),
        _("Contacts"),
        _("Last reminder"),
    ]
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ikke-signert-{version.label}.csv"'
    return response


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_visible_or_404(Organisation.objects.all(), request.user, Action.STATUS_REMIND, pk=pk)
    try:  # a missing or non-numeric version is a 404, not a ValueError (500) from the pk lookup
        version = TermsVersion.objects.published().get(pk=int(request.POST.get("version", "")))
    except (ValueError, TermsVersion.DoesNotExist):
        raise Http404 from None
    try:
        sent = rounds.remind_now(actor=request.user, organisation=organisation, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if sent:
            messages.success(request, _("A reminder is on its way to %(org)s.") % {"org": organisation})
        else:
            messages.info(request, _("%(org)s has signed or was already reminded today.") % {"org": organisation})
    return redirect(f"{reverse('dashboards:missing')}?version={version.pk}")


def _public_figures(day: dt.date) -> dict[str, Any] | None:
    version = TermsVersion.objects.current_for(OrganisationForm.KOMM)
    if version is None:
        return None
    scope = Organisation.objects.all()
    national = status.figures(version, scope, day, forms=MUNICIPALITIES)[0]

    def rows(group: str) -> list[dict[str, Any]]:
        return [
            {"name": f.label, "signed": f.signed, "total": f.total, "percent": f.percent}
            for f in status.figures(version, scope, day, group_by=group, forms=MUNICIPALITIES)
        ]

    return {
        "terms_version": version.label,
        "date": day.isoformat(),
        "deadline": version.sign_by.isoformat(),
        "municipalities": {"signed": national.signed, "total": national.total, "percent": national.percent},
        "counties": rows("county"),
        "diginettverk": rows("diginettverk"),
    }


def _public_day(request: HttpRequest) -> dt.date | None:
    raw = request.GET.get("date")
    if not raw:
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= timezone.localdate() else None


def public_status(request: HttpRequest) -> HttpResponse:
    """Public: aggregate figures only, no names of people."""
    day = _public_day(request)
    figures = _public_figures(day) if day else None
    return render(
        request,
        "dashboards/public_status.html",
        {"figures": figures, "bad_date": day is None},
        status=200 if day else 400,
    )


def status_json(request: HttpRequest) -> JsonResponse:
    day = _public_day(request)
    if day is None:
        return JsonResponse({"error": "date must be YYYY-MM-DD, from 2000-01-01 to today"}, status=400)
    figures = _public_figures(day)
    if figures is None:
        return JsonResponse({"error": "no published terms"}, status=404)
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})

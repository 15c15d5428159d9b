"""The status pages: the staff and coordinator dashboard, the list of who has not signed, and the
public figures (page and JSON)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.access import record_export
from core.permissions import Action, can, get_visible_or_404, require
from core.ratelimit import rate_limited
from dashboards import freshness, status
from dashboards.charts import progress_svg
from dashboards.forms import StatusForm
from dashboards.reports import forecast_text
from lib.csvsafe import csv_response
from memberships import rounds
from memberships.forms import RemindEveryoneForm
from memberships.models import TermsVersion
from organisations.choices import OrganisationForm
from organisations.models import Organisation

MUNICIPALITIES = [OrganisationForm.KOMM]
ENTERPRISES = [OrganisationForm.ENK, OrganisationForm.AS]


def _parameters(request: HttpRequest) -> tuple[StatusForm, TermsVersion | None, dt.date, dt.date | None]:
    form = StatusForm(request.GET or None)
    today = timezone.localdate()
    default_version = current_version()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, data.get("version") or default_version, data.get("as_of") or today, data.get("compare")
    return form, default_version, today, None


def current_version() -> TermsVersion | None:
    """The round municipalities sign now: what the status pages show unless asked for another.
    Cached like the figures (publishing a version bumps their generation)."""
    return freshness.cached(
        "current-version", (), lambda: TermsVersion.objects.without_texts().current_for(OrganisationForm.KOMM)
    )


def _compare(now: list[status.Figure], before: list[status.Figure]) -> list[dict[str, Any]]:
    earlier = {figure.key: figure for figure in before}
    rows = []
    for figure in now:
        previous = earlier.get(figure.key)
        rows.append(
            {"now": figure, "before": previous, "change": figure.signed - previous.signed if previous else None}
        )
    return rows


def dashboard_figures(user: Any, version: TermsVersion, as_of: dt.date, compare: dt.date | None) -> dict[str, Any]:
    """Every figure of the status page (also exported as XLSX), cached while the data stays the same."""
    return freshness.cached(
        "dashboard",
        (freshness.scope_key(user), version.pk, as_of, compare),
        lambda: _dashboard_figures(user, version, as_of, compare),
    )


def _dashboard_figures(user: Any, version: TermsVersion, as_of: dt.date, compare: dt.date | None) -> dict[str, Any]:
    """A fixed number of aggregate queries, however many organisations."""
    scope = Organisation.objects.visible_to(user)
    national = status.figures(version, scope, as_of, forms=MUNICIPALITIES)[0]
    progress = status.progress(version, scope, as_of, forms=MUNICIPALITIES)
    groups = {}
    for group in ("diginettverk", "county"):
        now = status.figures(version, scope, as_of, group_by=group, forms=MUNICIPALITIES)
        before = status.figures(version, scope, compare, group_by=group, forms=MUNICIPALITIES) if compare else []
        groups[group] = _compare(now, before)
    weekly = [(day, count) for index, (day, count) in enumerate(progress.days) if index % 7 == 0 or day == as_of]
    return {
        "national": national,
        "enterprises": status.figures(version, scope, as_of, forms=ENTERPRISES)[0],
        "by_form": status.figures(version, scope, as_of, group_by="form"),
        "groups": groups,
        "services": {
            "national": status.service_figures(scope)[0],
            **{group: status.service_figures(scope, group_by=group) for group in ("county", "diginettverk", "form")},
        },
        "progress": progress,
        "weekly": weekly,
    }


def export_query(version: TermsVersion, as_of: dt.date, compare: dt.date | None) -> str:
    """The query string that carries the page's choices to its exports, map and reports."""
    query = {"version": version.pk, "as_of": as_of.isoformat()}
    if compare:
        query["compare"] = compare.isoformat()
    return urlencode(query)


@login_required
def status_dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    audience = (freshness.scope_key(request.user), can(request.user, Action.ORDER_HANDLE))
    if not request.GET:
        # The page as most open it: the current round, today. Cached whole (which round is current is
        # part of what the generation covers), so that it costs one look-up while nothing changes.
        today = timezone.localdate()
        parts = freshness.cached(
            "dashboard-page", (*audience, today), lambda: _dashboard_parts(request, current_version(), today, None)
        )
        return render(request, "dashboards/status.html", parts)
    form, version, as_of, compare = _parameters(request)
    # Invalid choices: the form with its errors, as the user typed it, over the default figures.
    errors = _filters_html(request, form) if not form.is_valid() else None
    if version is None:
        return render(request, "dashboards/status.html", {"filters_html": errors or _filters_html(request, form)})
    parts = freshness.cached(
        "dashboard-page",
        (*audience, version.pk, as_of, compare),
        lambda: _dashboard_parts(request, version, as_of, compare),
    )
    return render(request, "dashboards/status.html", {**parts, "filters_html": errors} if errors else parts)


def _dashboard_parts(
    request: HttpRequest, version: TermsVersion | None, as_of: dt.date, compare: dt.date | None
) -> dict[str, Any]:
    """The page's HTML below its heading. The figures are cached like the counts behind them (same
    generation): drawing the tables and the chart costs more than counting, once the counts are
    cached. So is the filter form, shown with the values the figures are for: rendering its widgets
    costs as much again."""
    if version is None:
        return {"version": None, "filters_html": _filters_html(request, StatusForm())}
    return {
        "version": version,
        "filters_html": _filters_html(request, _shown_form(version, as_of, compare)),
        "figures_html": _figures_html(request, version, as_of, compare),
    }


def _shown_form(version: TermsVersion, as_of: dt.date, compare: dt.date | None) -> StatusForm:
    """The filter form as the figures below it are: the round, the day and the day compared with."""
    return StatusForm(initial={"version": version.pk, "as_of": as_of, "compare": compare})


def _filters_html(request: HttpRequest, form: StatusForm) -> str:
    return mark_safe(render_to_string("dashboards/_status_filters.html", {"form": form}, request=request))  # noqa: S308


def _figures_html(request: HttpRequest, version: TermsVersion, as_of: dt.date, compare: dt.date | None) -> str:
    context: dict[str, Any] = {"version": version, "as_of": as_of, "compare": compare}
    context.update(dashboard_figures(request.user, version, as_of, compare))
    national, progress = context["national"], context["progress"]
    description = _(
        "%(signed)s of %(total)s municipalities had signed on %(date)s. The line rises from 0 on the day the terms "
        "were published; the dashed line is the total and the red line the deadline."
    ) % {"signed": national.signed, "total": national.total, "date": as_of.strftime("%d.%m.%Y")}
    context["chart"] = progress_svg(
        progress, chart_id="progress", title=_("Municipalities signed over time"), description=description
    )
    context["export_query"] = export_query(version, as_of, compare)
    context["report_query"] = urlencode({"version": version.pk, "as_of": as_of.isoformat()})
    context["orders_url"] = reverse("orders:queue") if can(request.user, Action.ORDER_HANDLE) else ""
    context["forecast_text"] = forecast_text(progress)
    return mark_safe(render_to_string("dashboards/_status_figures.html", context, request=request))  # noqa: S308


# Who the list of who has not signed shows: everyone who must sign, or the municipalities or the health
# enterprises alone (the dashboard's two figures link to their own part of the list).
WHO = {"municipalities": MUNICIPALITIES, "enterprises": ENTERPRISES}


def _who(request: HttpRequest) -> str:
    who = request.GET.get("who", "")
    return who if who in WHO else ""  # anything else: everyone


def _missing(request: HttpRequest, version: TermsVersion) -> QuerySet[Organisation]:
    scope = Organisation.objects.visible_to(request.user)
    organisations = status.missing_organisations(version, scope, timezone.localdate())
    who = _who(request)
    return organisations.filter(form__in=WHO[who]) if who else organisations


def missing_query(version: TermsVersion, who: str) -> str:
    """The list's choices, carried to its pages and exports."""
    return urlencode({"version": version.pk, **({"who": who} if who else {})})


def missing_header() -> list[str]:
    return [
        _("Name"),
        _("Organisation number"),
        _("Organisation form"),
        _("County"),
        _("Membership"),
        _("Contacts"),
        _("Last reminder"),
    ]


def missing_rows(organisations: QuerySet[Organisation]) -> Iterator[list[Any]]:
    """The rows of the exports of who has not signed; the last reminder as a local (naive) datetime."""
    for org in organisations:
        yield [
            org.name,
            org.org_number or "",
            org.get_form_display(),
            org.address_municipality.county.name if org.address_municipality else "",
            org.membership.get_state_display() if hasattr(org, "membership") else "",
            "; ".join(sorted({grant.user.email for grant in org.contacts})),
            timezone.localtime(org.last_reminder).replace(tzinfo=None) if org.last_reminder else None,
        ]


@login_required
def missing(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    _form, version, _as_of, _compare = _parameters(request)
    if version is None:
        raise Http404
    organisations = _missing(request, version)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    who = _who(request)
    choices = [("", _("Everyone")), ("municipalities", _("Municipalities")), ("enterprises", _("Health enterprises"))]
    return render(
        request,
        "dashboards/missing.html",
        {
            "version": version,
            "page": page,
            "may_remind": can(request.user, Action.STATUS_REMIND),
            "who": who,
            "who_links": [(label, missing_query(version, key), key == who) for key, label in choices],
            "query": missing_query(version, who),
        },
    )


@login_required
def missing_csv(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    _form, version, _as_of, _compare = _parameters(request)
    if version is None:
        raise Http404
    rows = [
        [f"{cell:%Y-%m-%d %H:%M}" if isinstance(cell, dt.datetime) else cell for cell in row]
        for row in missing_rows(_missing(request, version))
    ]
    record_export(request.user, what=f"not-signed:{version.label}:csv", rows=len(rows))
    return csv_response(f"ikke-signert-{version.label}.csv", missing_header(), rows)


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
    who = request.POST.get("who", "")  # back to the part of the list the reminder was sent from
    return redirect(f"{reverse('dashboards:missing')}?{missing_query(version, who if who in WHO else '')}")


@login_required
def remind_everyone(request: HttpRequest) -> HttpResponse:
    """Remind everyone who has not signed: a preview (how many, which, nobody to notify, a sample of the
    message), then an explicit confirmation; at most once a day (memberships.rounds.remind_everyone)."""
    require(request.user, Action.STATUS_REMIND)
    try:  # a missing or non-numeric version is a 404, not a ValueError (500) from the pk lookup
        version = TermsVersion.objects.published().get(
            pk=int(request.POST.get("version") or request.GET.get("version", ""))
        )
    except (ValueError, TermsVersion.DoesNotExist):
        raise Http404 from None
    preview = rounds.remind_everyone_preview(version)
    changed = ""
    form = RemindEveryoneForm(request.POST or None, initial={"expected": preview.count})
    status = 200
    if request.method == "POST" and preview.earlier is not None:
        messages.error(request, " ".join(rounds.AlreadyRemindedToday(preview.earlier).messages))
        return redirect(f"{reverse('dashboards:missing')}?{missing_query(version, '')}")
    if request.method == "POST":
        status = 400
        if form.is_valid() and form.cleaned_data["expected"] != preview.count:
            changed = _(
                "Since you opened the page, the number of organisations to remind has changed from %(before)s "
                "to %(now)s. Check the new list and confirm again."
            ) % {"before": form.cleaned_data["expected"], "now": preview.count}
            form = RemindEveryoneForm(initial={"expected": preview.count})  # unbound: the box unticked again
            status = 409
        elif form.is_valid():
            try:
                reminder = rounds.remind_everyone(actor=request.user, version=version)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "A reminder is on its way to %(count)s organisation.",
                        "Reminders are on their way to %(count)s organisations.",
                        reminder.planned,
                    )
                    % {"count": reminder.planned},
                )
            return redirect(f"{reverse('dashboards:missing')}?{missing_query(version, '')}")
    return render(
        request,
        "dashboards/remind_everyone.html",
        {"version": version, "preview": preview, "form": form, "changed": changed},
        status=status,
    )


def _public_figures(day: dt.date) -> dict[str, Any] | None:
    version = current_version()
    if version is None:
        return None
    return freshness.cached("public", (version.pk, day), lambda: _compute_public_figures(version, day))


def _compute_public_figures(version: TermsVersion, day: dt.date) -> dict[str, Any]:
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


@rate_limited("status_json", lambda: settings.RATELIMIT_STATUS_JSON)
def status_json(request: HttpRequest) -> HttpResponse:
    day = _public_day(request)
    if day is None:
        return JsonResponse({"error": "date must be YYYY-MM-DD, from 2000-01-01 to today"}, status=400)
    figures = _public_figures(day)
    if figures is None:
        return JsonResponse({"error": "no published terms"}, status=404)
    return JsonResponse(figures, json_dumps_params={"ensure_ascii": False})

"""The status map, and the downloads of the status: XLSX of the figures and of who has not signed, and
the PDF status report per county or Diginettverk. Same permission and scope as the status page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from core.access import record_export
from core.permissions import Action, require, visibility
from dashboards import municipality_map
from dashboards.reports import find_group, report_pdf, status_sheets
from dashboards.status_views import (
    MUNICIPALITIES,
    _missing,
    _parameters,
    dashboard_figures,
    export_query,
    missing_header,
    missing_rows,
)
from lib.xlsxsafe import CONTENT_TYPE, Sheet, to_xlsx
from organisations.models import Organisation


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def status_map(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    form, version, as_of, _compare = _parameters(request)
    context = {"form": form, "version": version, "as_of": as_of}
    if version is not None:
        everything = visibility(request.user).everything
        status_map = municipality_map.build(
            version, Organisation.objects.visible_to(request.user), as_of, everything=everything
        )
        counts = status_map.counts
        description = _(
            "Norway's %(outlines)s municipalities as of %(date)s: %(signed)s signed (filled), %(missing)s not "
            "signed (hatched), %(unknown)s not registered in the portal (dotted)."
        ) % {
            "outlines": sum(counts.values()),
            "date": as_of.strftime("%d.%m.%Y"),
            "signed": counts.get(municipality_map.MapStatus.SIGNED, 0),
            "missing": counts.get(municipality_map.MapStatus.NOT_SIGNED, 0),
            "unknown": counts.get(municipality_map.MapStatus.NO_DATA, 0),
        }
        if not everything:
            description += " " + _(
                "%(outside)s municipalities outside your Diginettverk are grey, without their status."
            ) % {"outside": counts.get(municipality_map.MapStatus.OUTSIDE, 0)}
        context.update(
            {
                "status_map": status_map,
                "map_svg": municipality_map.svg(
                    status_map, title=_("Municipalities by signing status"), description=description
                ),
                "legend": [(state, municipality_map.swatch(state), count) for state, _fill, count in status_map.legend],
                "licence": municipality_map.outlines().licence,
                "export_query": export_query(version, as_of, None),
                "signed_total": sum(figure.signed for figure in status_map.counties),
                "required_total": sum(figure.total for figure in status_map.counties),
            }
        )
    return render(request, "dashboards/status_map.html", context)


@login_required
def status_xlsx(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    _form, version, as_of, compare = _parameters(request)
    if version is None:
        raise Http404
    figures = dashboard_figures(request.user, version, as_of, compare)
    scope = Organisation.objects.visible_to(request.user)
    municipalities = municipality_map.build(version, scope, as_of, everything=True).rows
    sheets = status_sheets(
        version=version, as_of=as_of, compare=compare, figures=figures, municipalities=municipalities
    )
    return _download(to_xlsx(sheets), CONTENT_TYPE, f"status-{version.label}-{as_of.isoformat()}.xlsx")


@login_required
def missing_xlsx(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.STATUS_VIEW)
    _form, version, _as_of, _compare = _parameters(request)
    if version is None:
        raise Http404
    rows = list(missing_rows(_missing(request, version)))
    record_export(request.user, what=f"not-signed:{version.label}:xlsx", rows=len(rows))
    sheet = Sheet(_("Not signed"), missing_header(), rows)
    return _download(to_xlsx([sheet]), CONTENT_TYPE, f"ikke-signert-{version.label}.xlsx")


@login_required
def status_report(request: HttpRequest, group: str, key: str) -> HttpResponse:
    """The PDF status report of one county or Diginettverk. A coordinator gets only a group with some
    of their municipalities in it, and only those municipalities; any other group is a 404."""
    require(request.user, Action.STATUS_VIEW)
    _form, version, as_of, _compare = _parameters(request)
    found = find_group(group, key)
    if version is None or found is None:
        raise Http404
    scope = Organisation.objects.visible_to(request.user)
    if (
        not visibility(request.user).everything
        and not found.organisations(scope).filter(form__in=MUNICIPALITIES).exists()
    ):
        raise Http404
    content = report_pdf(group=found, version=version, scope=scope, as_of=as_of)
    filename = f"statusrapport-{found.kind}-{found.key}-{as_of.isoformat()}.pdf"
    return _download(content, "application/pdf", filename)

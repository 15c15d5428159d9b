"""Downloads of the status: the figure tables as XLSX, and a PDF status report per county or Diginettverk.

Both are built from the same functions as the pages (dashboards.status), so a download never shows
other figures than the screen, and both stay within a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from dashboards import municipality_map, status
from lib.pdf import ReportSection, render_report_pdf
from lib.xlsxsafe import Sheet
from memberships.models import TermsVersion
from organisations.choices import OrganisationForm
from organisations.models import County, Diginettverk, Organisation

GROUPS = ("county", "diginettverk")
# A county can hold thousands of health enterprises: the PDF lists at most this many of those who have
# not signed (and says so); the complete list is the XLSX/CSV export.
REPORT_LIST_LIMIT = 1000


def _day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def forecast_text(progress: status.Progress) -> str:
    """The forecast sentence of the status page, as plain text."""
    if progress.done:
        return _("Everyone has signed.")
    if progress.deadline_passed and progress.deadline is not None:
        return ngettext(
            "The deadline passed on %(date)s: %(count)s has still not signed.",
            "The deadline passed on %(date)s: %(count)s have still not signed.",
            progress.missing,
        ) % {"date": _day(progress.deadline), "count": progress.missing}
    if progress.no_pace_yet:
        return _("Published today: there is no pace to measure yet.")
    if progress.pace_days < status.PACE_WINDOW_DAYS:
        if progress.forecast and progress.on_time:
            return ngettext(
                "At the pace since publication (%(days)s day), everyone will have signed by %(date)s: before "
                "the deadline.",
                "At the pace since publication (%(days)s days), everyone will have signed by %(date)s: before "
                "the deadline.",
                progress.pace_days,
            ) % {"days": progress.pace_days, "date": _day(progress.forecast)}
        if progress.forecast:
            return ngettext(
                "Not at the pace since publication (%(days)s day): everyone will have signed around %(date)s, "
                "after the deadline.",
                "Not at the pace since publication (%(days)s days): everyone will have signed around %(date)s, "
                "after the deadline.",
                progress.pace_days,
            ) % {"days": progress.pace_days, "date": _day(progress.forecast)}
        return _("Nobody has signed since publication yet.")
    if progress.forecast and progress.on_time:
        return _("At the pace of the last two weeks, everyone will have signed by %(date)s: before the deadline.") % {
            "date": _day(progress.forecast)
        }
    if progress.forecast:
        return _("Not at this pace: everyone will have signed around %(date)s, after the deadline.") % {
            "date": _day(progress.forecast)
        }
    return _("Not at this pace: nobody has signed in the last two weeks.")


# ------------------------------------------------------------------------------------------------ XLSX


def _figure_sheet(title: str, group_label: str, rows: list[dict[str, Any]], compare: dt.date | None) -> Sheet:
    header = [group_label, _("Signed"), _("Total"), _("Share (%)")]
    if compare:
        header += [
            _("Signed on %(date)s") % {"date": date_format(compare, "SHORT_DATE_FORMAT")},
            pgettext("difference between two dates", "Change"),
        ]
    body = []
    for row in rows:
        figure = row["now"]
        line: list[Any] = [figure.label, figure.signed, figure.total, figure.percent]
        if compare:
            line += [row["before"].signed if row["before"] else 0, row["change"] or 0]
        body.append(line)
    return Sheet(title, header, body)


def status_sheets(
    *,
    version: TermsVersion,
    as_of: dt.date,
    compare: dt.date | None,
    figures: dict[str, Any],
    municipalities: list[municipality_map.MunicipalityStatus],
) -> list[Sheet]:
    """The status page's tables, one sheet each, plus every municipality with its status (the map's table)."""
    national, enterprises, progress = figures["national"], figures["enterprises"], figures["progress"]
    summary = Sheet(
        _("Status"),
        [_("Figure"), _("Value")],
        [
            [_("Terms version"), version.label],
            [_("As of"), as_of],
            [_("Deadline"), version.sign_by],
            [_("Municipalities signed"), national.signed],
            [_("Municipalities that must sign"), national.total],
            [_("Share (%)"), national.percent],
            [_("Health enterprises (ENK and AS) signed"), enterprises.signed],
            [_("Health enterprises (ENK and AS) that must sign"), enterprises.total],
            [_("Forecast"), forecast_text(progress)],
        ],
    )
    return [
        summary,
        _figure_sheet(_("Per Diginettverk"), _("Diginettverk"), figures["groups"]["diginettverk"], compare),
        _figure_sheet(_("Per county"), _("County"), figures["groups"]["county"], compare),
        Sheet(
            _("Per organisation form"),
            [_("Organisation form"), _("Signed"), _("Total"), _("Share (%)")],
            [[f.label, f.signed, f.total, f.percent] for f in figures["by_form"]],
        ),
        Sheet(_("Progress"), [_("Date"), _("Municipalities signed")], [[day, n] for day, n in progress.days]),
        Sheet(
            _("Municipalities"),
            [_("Municipality number"), _("Municipality"), _("County"), _("Diginettverk"), _("Status"), _("Signed")],
            [
                [
                    row.number,
                    row.name,
                    row.county,
                    row.diginettverk,
                    row.status_label,
                    timezone.localtime(row.signed_at).replace(tzinfo=None) if row.signed_at else None,
                ]
                for row in municipalities
            ],
        ),
    ]


# ------------------------------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class Group:
    """A county or a Diginettverk: what a status report is about."""

    kind: str  # "county" or "diginettverk"
    key: str  # county number, or the Diginettverk's primary key as text
    name: str

    def organisations(self, scope: QuerySet[Organisation]) -> QuerySet[Organisation]:
        """The organisations of the group: every organisation located in the county, or the
        municipalities of the Diginettverk."""
        if self.kind == "county":
            return scope.filter(address_municipality__county__number=self.key)
        return scope.filter(form=OrganisationForm.KOMM, municipality__diginettverk_id=int(self.key))

    @property
    def breakdown(self) -> str:
        """The other grouping, shown inside the report: networks in a county, counties in a network."""
        return "diginettverk" if self.kind == "county" else "county"


def find_group(kind: str, key: str) -> Group | None:
    """The county (by number) or Diginettverk (by id) named in a URL, or None (one query)."""
    if kind == "county":
        county = County.objects.filter(number=key).only("number", "name").first()
        return Group("county", county.number, county.name) if county else None
    if kind == "diginettverk" and key.isascii() and key.isdigit() and len(key) < 10:
        network = Diginettverk.objects.filter(pk=int(key)).first()
        return Group("diginettverk", str(network.pk), network.name) if network else None
    return None


def report_pdf(*, group: Group, version: TermsVersion, scope: QuerySet[Organisation], as_of: dt.date) -> bytes:
    """The status report of one county or Diginettverk as of a day: the figures, the breakdown, the
    forecast, and who had not signed, with contacts and the last reminder."""
    members = group.organisations(scope)
    municipalities = status.figures(version, members, as_of, forms=[OrganisationForm.KOMM])[0]
    by_form = status.figures(version, members, as_of, group_by="form")
    breakdown = status.figures(version, members, as_of, group_by=group.breakdown, forms=[OrganisationForm.KOMM])
    progress = status.progress(version, members, as_of, forms=[OrganisationForm.KOMM])
    missing = list(status.missing_organisations(version, members, as_of)[:REPORT_LIST_LIMIT])
    missing_total = sum(figure.missing for figure in by_form)  # no extra query

    kind_label = _("County") if group.kind == "county" else _("Diginettverk")
    title = _("Status report: %(name)s") % {"name": group.name}
    intro = _(
        "%(kind)s %(name)s. Membership terms %(label)s, deadline %(deadline)s. Figures as of the end of %(date)s."
    ) % {
        "kind": kind_label,
        "name": group.name,
        "label": version.label,
        "deadline": _day(version.sign_by),
        "date": _day(as_of),
    }
    headline = _("%(signed)s of %(total)s municipalities have signed (%(percent)s %%) as of %(date)s.") % {
        "signed": municipalities.signed,
        "total": municipalities.total,
        "percent": municipalities.percent,
        "date": _day(as_of),
    }
    share_columns = [_("Signed"), _("Total"), _("Share")]
    breakdown_label = _("Diginettverk") if group.breakdown == "diginettverk" else _("County")
    sections = [
        ReportSection(
            heading=_("Figures"),
            text=f"{headline}\n\n{forecast_text(progress)}",
            columns=[_("Organisation form"), *share_columns],
            rows=[[f.label, str(f.signed), str(f.total), f"{f.percent} %"] for f in by_form],
            empty_text=_("No organisation here has to sign these terms."),
        ),
        ReportSection(
            heading=_("Municipalities per %(group)s") % {"group": breakdown_label},
            columns=[breakdown_label, *share_columns],
            rows=[[f.label, str(f.signed), str(f.total), f"{f.percent} %"] for f in breakdown],
            empty_text=_("No municipality here has to sign these terms."),
        ),
        _missing_section(missing, missing_total),
    ]
    footer = _("Medlemsportal, Norsk helsenett. Made %(now)s") % {
        "now": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    }
    return render_report_pdf(
        title=title,
        intro=intro,
        sections=sections,
        footer=footer,
        metadata={"subject": title, "StatusGroup": f"{group.kind}-{group.key}", "AsOf": as_of.isoformat()},
    )


def _missing_section(missing: list[Organisation], missing_total: int) -> ReportSection:
    """Who had not signed (the first ``REPORT_LIST_LIMIT``), with contacts and the last reminder."""
    return ReportSection(
        heading=_("Not signed (%(count)s)") % {"count": missing_total},
        text=_(
            "The first %(shown)s of %(total)s are listed here; the complete list is in the XLSX or CSV export of "
            "who has not signed."
        )
        % {"shown": len(missing), "total": missing_total}
        if missing_total > len(missing)
        else "",
        columns=[_("Name"), _("Organisation number"), _("Organisation form"), _("Contacts"), _("Last reminder")],
        rows=[
            [
                org.name,
                org.formatted_org_number or "–",
                org.get_form_display(),
                "\n".join(sorted({f"{grant.user.full_name} <{grant.user.email}>" for grant in org.contacts}))  # type: ignore[attr-defined]  # prefetched to_attr
                or _("No one registered"),
                date_format(timezone.localtime(org.last_reminder), "SHORT_DATETIME_FORMAT")  # type: ignore[attr-defined]  # annotated by the query
                if org.last_reminder  # type: ignore[attr-defined]  # annotated by the query
                else "–",
            ]
            for org in missing
        ],
        empty_text=_("Everyone here had signed."),
    )

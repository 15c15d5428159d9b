"""The assessment as a PDF the member can keep and share: answers, recommendation, reasons, comparison."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from connections.assessment import compare
from connections.choices import Budget, Competence, DataProcessing, Growth, Redundancy, SecurityLevel, UptimeNeed
from connections.forms import AssessmentForm
from connections.models import Assessment, Connection
from lib.pdf import render_markdown_pdf

CHOICES = {
    "uptime": UptimeNeed,
    "security": SecurityLevel,
    "data_processing": DataProcessing,
    "budget": Budget,
    "competence": Competence,
    "growth": Growth,
}


def answer_rows(assessment: Assessment) -> list[tuple[str, str]]:
    """(question, answer) in the order the form asks, in words."""
    form = AssessmentForm()
    rows = []
    for _title, names in AssessmentForm.STEPS:
        for name in names:
            value = assessment.answers.get(name)
            if name in CHOICES:
                text = str(CHOICES[name](value).label) if value in CHOICES[name].values else "–"
            elif isinstance(value, bool):
                text = _("Yes") if value else _("No")
            else:
                text = str(value)
            rows.append((str(form.fields[name].label), text))
    return rows


def _escape(text: str) -> str:
    """Markdown-inert text: the PDF shows user input literally, but keep * and _ from turning into emphasis."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def assessment_pdf(assessment: Assessment, current: Connection | None) -> bytes:
    when = date_format(timezone.localtime(assessment.created_at), "DATETIME_FORMAT")
    recommendation = "\n".join(
        [
            f"- **{_('Type')}:** {_escape(str(assessment.recommended_type))}",
            f"- **{_('Bandwidth')}:** {assessment.recommended_bandwidth_mbps} Mbit/s",
            f"- **{_('Redundancy')}:** {Redundancy(assessment.recommended_redundancy).label}",
        ]
    )
    reasons = "\n".join(f"- {_escape(reason)}" for reason in assessment.reasons)
    answers = "\n".join(f"- {_escape(q)} **{_escape(a)}**" for q, a in answer_rows(assessment))
    if current is None:
        comparison = _("The organisation has no connection in use yet.")
    else:
        comparison = "\n".join(
            f"- **{row.label}:** {_escape(row.current)} – {_('recommended')}: {_escape(row.recommended)} "
            f"({_('meets the recommendation') if row.ok else _('should be changed')})"
            for row in compare(assessment, current)
        )
    sections = [
        (_("Recommendation"), recommendation),
        (_("Why"), reasons),
        (_("Compared with your current connection"), comparison),
        (_("Your answers"), answers),
    ]
    title = _("Connection assessment for %(organisation)s") % {"organisation": assessment.organisation.name}
    return render_markdown_pdf(
        title=title,
        sections=sections,
        footer=_("Saved %(when)s by %(person)s") % {"when": when, "person": assessment.created_by.full_name},
        metadata={"subject": title, "assessment-id": str(assessment.pk)},
    )


def assessment_filename(assessment: Assessment) -> str:
    number = assessment.organisation.org_number or assessment.organisation.pk
    return f"tilknytningsvurdering-{number}-{assessment.created_at:%Y%m%d}.pdf"


__all__: list[Any] = ["answer_rows", "assessment_filename", "assessment_pdf"]

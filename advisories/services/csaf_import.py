"""CSAF 2.0 import: a validated document becomes an advisory draft with its vulnerabilities."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from advisories import csaf
from advisories.choices import AdvisoryStatus, Source
from advisories.models import Advisory, Vulnerability
from core.audit import audit_record
from core.permissions import Action, require


@transaction.atomic
def csaf_import(*, actor: Any, data: bytes) -> Advisory:
    """Validate a CSAF 2.0 document and store it as an advisory draft (to be targeted, reviewed and
    published like our own). An invalid document raises ValidationError with the reason; nothing is
    stored."""
    if actor is not None:
        require(actor, Action.ADVISORY_MANAGE)
    try:
        imported = csaf.parse(csaf.load(data))
    except csaf.CsafError as exc:
        raise ValidationError(str(exc)) from None
    if Advisory.objects.filter(
        external_namespace=imported.namespace,
        tracking_id=csaf.local_tracking_id(imported),
        external_version=imported.version,
    ).exists():
        raise ValidationError(
            _("Version %(version)s of %(id)s is imported already.")
            % {"version": imported.version, "id": imported.tracking_id}
        )
    tracking_id = csaf.local_tracking_id(imported)
    if Advisory.objects.filter(tracking_id=tracking_id).exists():
        tracking_id = f"{tracking_id}-v{imported.version}"[:64]
        if Advisory.objects.filter(tracking_id=tracking_id).exists():
            raise ValidationError(_("%(id)s is imported already.") % {"id": imported.tracking_id})
    advisory = Advisory(
        tracking_id=tracking_id,
        title=imported.title,
        summary=imported.summary,
        body=imported.body,
        severity=imported.severity,
        cvss_vector=imported.cvss_vector,
        tlp=imported.tlp,
        affected_products="\n".join(imported.affected_products),
        recommended_actions=imported.recommended_actions,
        references="\n".join(imported.references),
        source=Source.CSAF_IMPORT,
        external_publisher=imported.publisher[:200],
        external_namespace=imported.namespace[:300],
        external_version=imported.version[:50],
        csaf_document=imported.document,
        csaf_extra=imported.extra,
        author=actor,
        status=AdvisoryStatus.DRAFT,
    )
    advisory.save()
    Vulnerability.objects.bulk_create(
        Vulnerability(
            advisory=advisory,
            position=position,
            cve=str(item.get("cve", ""))[:30],
            cwe_id=str((item.get("cwe") or {}).get("id", ""))[:20],
            cwe_name=str((item.get("cwe") or {}).get("name", ""))[:300],
            title=str(item.get("title", ""))[:500],
            content=item,
        )
        for position, item in enumerate(imported.vulnerabilities, 1)
    )
    audit_record(
        actor=actor,
        action="advisory.imported",
        obj=advisory,
        after={"publisher": imported.publisher, "id": imported.tracking_id, "version": imported.version},
    )
    return advisory

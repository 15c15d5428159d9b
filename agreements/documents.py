"""The service signing as a document: the terms of every service signed, and a signature page, sealed.

Rendered in Norwegian Bokmål, the language of the terms, whatever language the signer's browser uses.
Rendering, sealing and verification are :mod:`core.sealing`'s, shared with the membership agreement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import sealing
from core.sealing import AgreementRecord, StoredSeal, seal

__all__ = ["ARCHIVE", "filename", "seal", "signing_pdf"]


def evidence(
    *,
    organisation: Any,
    items: list[dict[str, str]],
    terms: dict[int, Any],
    signer_name: str,
    basis_text: str,
    signed_at: dt.datetime,
) -> sealing.SigningEvidence:
    """What the signature page of a service signing states: every service, its action, terms and their hash."""
    with translation.override("nb"):
        by_slug = {version.service.slug: version for version in terms.values()}
        sections = []
        for item in items:
            version = by_slug[item["slug"]]
            heading = _("%(service)s – terms %(label)s") % {"service": item["service"], "label": item["terms"]}
            sections.append((heading, version.text_for(organisation.form)))
        listing = "; ".join(
            f"{item['service']} ({_('re-signed') if item['action'] == 'resign' else _('ordered')}, {item['terms']})"
            for item in items
        )
        return sealing.SigningEvidence(
            title=_("Service agreements with Norsk helsenett – %(organisation)s") % {"organisation": organisation.name},
            sections=sections,
            organisation_name=organisation.name,
            organisation_number=organisation.formatted_org_number,
            signer_name=signer_name,
            basis_text=basis_text,
            signed_at=signed_at,
            rows=[
                (_("Services"), listing),
                *((f"SHA-256 {item['service']}", item["text_sha256"]) for item in items),
            ],
            subject=f"services:{organisation.org_number or organisation.pk}:{signed_at.isoformat()}",
            reason=f"Tjenesteavtaler: {organisation.name}",
        )


def signing_pdf(
    *,
    organisation: Any,
    items: list[dict[str, str]],
    terms: dict[int, Any],
    signer_name: str,
    basis_text: str,
    signed_at: dt.datetime,
) -> bytes:
    """The service signing as an unsealed PDF."""
    return sealing.render(
        evidence(
            organisation=organisation,
            items=items,
            terms=terms,
            signer_name=signer_name,
            basis_text=basis_text,
            signed_at=signed_at,
        )
    )


def filename(signing: Any) -> str:
    number = signing.organisation.org_number or signing.organisation.pk
    return f"tjenesteavtaler-{number}-{timezone.localtime(signing.signed_at):%Y%m%d-%H%M%S}.pdf"


def agreement_by_sha256(sha256s: list[str]) -> AgreementRecord | None:
    """For the verification page: the service signing whose sealed PDF has one of these SHA-256s."""
    from agreements.models import ServiceSigning

    signing = ServiceSigning.objects.select_related("organisation").filter(signed_pdf_sha256__in=sha256s).first()
    if signing is None:
        return None
    return AgreementRecord(
        organisation=signing.organisation,
        what=_("Service agreements: %(services)s") % {"services": ", ".join(i["service"] for i in signing.items)},
        signer_name=signing.signer_name,
        basis_text=signing.basis_text,
        signed_at=signing.signed_at,
    )


def _stored() -> Iterator[StoredSeal]:
    from agreements.models import ServiceSigning

    rows = ServiceSigning.objects.select_related("organisation").order_by("pk").iterator(chunk_size=50)
    yield from sealing.stored_seals(rows, label=lambda s: f"service signing {s.pk} ({s.organisation.name})")


ARCHIVE = sealing.SealedArchive(name="agreements", lookup=agreement_by_sha256, stored=_stored)

"""The membership agreement as a document: the terms, and the signed agreement through the one sealing pipeline.

Agreements are always rendered in Norwegian Bokmål, the language of the terms, whatever language the
signer's browser uses. Rendering, sealing and verification are :mod:`core.sealing`'s, shared with the service
signings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import sealing
from core.sealing import FOOTER, AgreementRecord, StoredSeal, Verification, seal, trust_roots
from lib import pdf
from memberships.models import Signature, TermsVersion
from organisations.models import Organisation

__all__ = [
    "FOOTER",
    "agreement_pdf",
    "audit_certificate_pdf",
    "seal",
    "terms_pdf",
    "trust_roots",
    "verify",
]


def terms_pdf(version: TermsVersion) -> bytes:
    """The terms alone, for reading before signing."""
    with translation.override("nb"):
        return pdf.render_markdown_pdf(
            title=_("Membership agreement for Helsenettet – version %(label)s") % {"label": version.label},
            sections=version.documents(),
            footer=FOOTER,
            metadata={"subject": f"terms:{version.label}"},
        )


def evidence(
    *, version: TermsVersion, organisation: Organisation, signer_name: str, basis_text: str, signed_at: dt.datetime
) -> sealing.SigningEvidence:
    """What the signature page of a membership agreement states."""
    with translation.override("nb"):
        return sealing.SigningEvidence(
            title=_("Membership agreement for Helsenettet – version %(label)s") % {"label": version.label},
            sections=version.documents(),
            organisation_name=organisation.name,
            organisation_number=organisation.formatted_org_number,
            signer_name=signer_name,
            basis_text=basis_text,
            signed_at=signed_at,
            rows=[(_("Terms version"), version.label), (_("SHA-256 of the terms"), version.text_sha256)],
            subject=f"agreement:{version.label}:{organisation.org_number or organisation.pk}",
            reason=f"Medlemsavtale {version.label}: {organisation.name}",
        )


def agreement_pdf(
    *, version: TermsVersion, organisation: Organisation, signer_name: str, basis_text: str, signed_at: dt.datetime
) -> bytes:
    """The terms and a signature page naming the organisation, signer, authority, time and hashes (unsealed)."""
    return sealing.render(
        evidence(
            version=version,
            organisation=organisation,
            signer_name=signer_name,
            basis_text=basis_text,
            signed_at=signed_at,
        )
    )


def verify(document: bytes) -> Verification:
    """Is this a genuine, unaltered agreement from the portal (membership or services), and whose?"""
    return sealing.verify(document)


def _membership_agreement(sha256s: list[str]) -> AgreementRecord | None:
    signatures = Signature.objects.select_related("organisation", "terms_version").filter(signed_pdf_sha256__in=sha256s)
    signature = signatures.first()
    if signature is None:
        return None
    return AgreementRecord(
        organisation=signature.organisation,
        what=_("Membership terms %(label)s") % {"label": signature.terms_version.label},
        signer_name=signature.signer_name,
        basis_text=signature.basis_text,
        signed_at=signature.signed_at,
    )


def _stored() -> Iterator[StoredSeal]:
    rows = Signature.objects.select_related("organisation", "terms_version").order_by("pk").iterator(chunk_size=50)
    yield from sealing.stored_seals(
        rows, label=lambda s: f"membership signature {s.pk} ({s.organisation.name}, {s.terms_version.label})"
    )


ARCHIVE = sealing.SealedArchive(name="memberships", lookup=_membership_agreement, stored=_stored)


def audit_certificate_pdf(signature: Signature, events: list[Any]) -> bytes:
    with translation.override("nb"):
        rows = [
            [
                str(event.pk),
                timezone.localtime(event.occurred_at).strftime("%d.%m.%Y %H:%M:%S"),
                event.actor_label,
                event.action,
                event.hash,
            ]
            for event in events
        ]
        document = pdf.render_table_pdf(
            title=_("Audit certificate – %(org)s – terms %(label)s")
            % {"org": signature.organisation.name, "label": signature.terms_version.label},
            intro=_(
                "Events in the portal's tamper-evident audit trail for this agreement. Signed PDF SHA-256: %(hash)s"
            )
            % {"hash": signature.signed_pdf_sha256},
            columns=[_("No."), _("Time (Europe/Oslo)"), _("Actor"), _("Action"), _("Event hash")],
            rows=rows,
            footer=FOOTER,
        )
    return seal(document, reason=f"Revisjonsbevis {signature.terms_version.label}: {signature.organisation.name}")

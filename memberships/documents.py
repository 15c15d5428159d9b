"""The agreement as a document: the terms rendered to PDF with a signature page, sealed by the portal.

Agreements are always rendered in Norwegian Bokmål, the language of the terms, whatever language the
signer's browser uses.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib import pades, pdf
from memberships.models import Signature, TermsVersion
from organisations.models import Organisation

FOOTER = "Medlemsportal – Norsk helsenett SF"


def terms_pdf(version: TermsVersion) -> bytes:
    """The terms alone, for reading before signing."""
    with translation.override("nb"):
        return pdf.render_markdown_pdf(
            title=_("Membership agreement for Helsenettet – version %(label)s") % {"label": version.label},
            sections=version.documents(),
            footer=FOOTER,
            metadata={"subject": f"terms:{version.label}"},
        )


def agreement_pdf(
    *, version: TermsVersion, organisation: Organisation, signer_name: str, basis_text: str, signed_at: dt.datetime
) -> bytes:
    """The terms and a signature page naming the organisation, signer, authority, time and hashes."""
    with translation.override("nb"):
        rows = [
            (_("Organisation"), organisation.name),
            (_("Organisation number"), organisation.formatted_org_number or _("Not yet known")),
            (_("Signed by"), signer_name),
            (_("Authority"), basis_text),
            (_("Time (Europe/Oslo)"), timezone.localtime(signed_at).strftime("%d.%m.%Y %H:%M:%S")),
            (_("Terms version"), version.label),
            (_("SHA-256 of the terms"), version.text_sha256),
        ]
        return pdf.render_markdown_pdf(
            title=_("Membership agreement for Helsenettet – version %(label)s") % {"label": version.label},
            sections=version.documents(),
            signature_page=rows,
            signature_page_title=_("Signature"),
            footer=FOOTER,
            metadata={"subject": f"agreement:{version.label}:{organisation.org_number or organisation.pk}"},
        )


@functools.cache
def _signer(path: str, password: str) -> pades.PadesSigner:
    return pades.PadesSigner(path, password)


def seal(document: bytes, *, reason: str) -> bytes:
    """Seal a PDF with the portal's certificate (PAdES)."""
    return _signer(str(settings.SIGNING_PKCS12_PATH), settings.SIGNING_PKCS12_PASSWORD).sign(document, reason=reason)


def trust_roots() -> list[bytes]:
    return [settings.SIGNING_TRUST_ROOT.read_bytes()]


# Other kinds of sealed agreements (service agreements) register how to find theirs by the PDF's SHA-256:
# a function returning a dict with organisation, what, signer_name, basis_text and signed_at, or None.
AGREEMENT_LOOKUPS: list[Callable[[str], dict[str, Any] | None]] = []


def _membership_agreement(sha256: str) -> dict[str, Any] | None:
    signature = (
        Signature.objects.select_related("organisation", "terms_version").filter(signed_pdf_sha256=sha256).first()
    )
    if signature is None:
        return None
    return {
        "organisation": signature.organisation,
        "what": _("Membership terms %(label)s") % {"label": signature.terms_version.label},
        "signer_name": signature.signer_name,
        "basis_text": signature.basis_text,
        "signed_at": signature.signed_at,
    }


def verify(document: bytes) -> dict[str, Any]:
    """Is this a genuine, unaltered agreement from the portal, and whose?"""
    result = pades.verify(document, trust_roots=trust_roots())
    record = None
    if result.ok:
        for lookup in [_membership_agreement, *AGREEMENT_LOOKUPS]:
            record = lookup(result.sha256)
            if record is not None:
                break
    return {"result": result, "record": record, "genuine": result.ok and record is not None}


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

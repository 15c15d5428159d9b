"""The service signing as a document: the terms of every service signed, and a signature page, sealed.

Rendered in Norwegian Bokmål, the language of the terms, whatever language the signer's browser uses.
Sealing and verification are the membership agreement's own (one certificate, one trust root).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib import pdf
from memberships.documents import FOOTER, seal

__all__ = ["filename", "seal", "signing_pdf"]


def signing_pdf(
    *,
    organisation: Any,
    items: list[dict[str, str]],
    terms: dict[int, Any],
    signer_name: str,
    basis_text: str,
    signed_at: dt.datetime,
) -> bytes:
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
        rows = [
            (_("Organisation"), organisation.name),
            (_("Organisation number"), organisation.formatted_org_number or _("Not yet known")),
            (_("Signed by"), signer_name),
            (_("Authority"), basis_text),
            (_("Time (Europe/Oslo)"), timezone.localtime(signed_at).strftime("%d.%m.%Y %H:%M:%S")),
            (_("Services"), listing),
            *((f"SHA-256 {item['service']}", item["text_sha256"]) for item in items),
        ]
        return pdf.render_markdown_pdf(
            title=_("Service agreements with Norsk helsenett – %(organisation)s") % {"organisation": organisation.name},
            sections=sections,
            signature_page=rows,
            signature_page_title=_("Signature"),
            footer=FOOTER,
            metadata={"subject": f"services:{organisation.org_number or organisation.pk}:{signed_at.isoformat()}"},
        )


def filename(signing: Any) -> str:
    number = signing.organisation.org_number or signing.organisation.pk
    return f"tjenesteavtaler-{number}-{timezone.localtime(signing.signed_at):%Y%m%d-%H%M%S}.pdf"


def agreement_by_sha256(sha256: str) -> dict[str, Any] | None:
    """For the public verification page: the service signing whose sealed PDF has this SHA-256."""
    from agreements.models import ServiceSigning

    signing = ServiceSigning.objects.select_related("organisation").filter(signed_pdf_sha256=sha256).first()
    if signing is None:
        return None
    return {
        "organisation": signing.organisation,
        "what": _("Service agreements: %(services)s") % {"services": ", ".join(i["service"] for i in signing.items)},
        "signer_name": signing.signer_name,
        "basis_text": signing.basis_text,
        "signed_at": signing.signed_at,
    }

"""The one sealing pipeline for every agreement: evidence → renderer → sealer → archive → verifier.

Membership signatures (memberships) and service signings (agreements) differ in what was signed, not in how it
is proven, so both go through here:

* :class:`SigningEvidence` – what the signature page states: who signed for which organisation, on what authority,
  when, and what exactly (the rows naming terms versions and the SHA-256 of their texts).
* :func:`render` – the one renderer: the signed texts and the signature page, in Norwegian Bokmål.
* :func:`seal` – the one sealer: PAdES baseline B-LTA with the portal's certificate and the configured timestamp
  authority (settings ``SIGNING_*`` and ``TIMESTAMP_AUTHORITY_URL``).
* :func:`verify` – the one verifier: the seal judged at the time its timestamp proves, then the agreement found by
  the SHA-256 of the file as it was sealed (or of any later archive revision of it).
* :func:`retimestamp_archive` – renews the archive timestamp of every stored agreement whose timestamp authority's
  certificate expires within the margin.

An app with sealed agreements registers a :class:`SealedArchive` in its ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from lib import pades, pdf

logger = logging.getLogger(__name__)

FOOTER = "Medlemsportal – Norsk helsenett SF"


@dataclass(frozen=True)
class SigningEvidence:
    """What a sealed agreement states about its signing; the same shape for every kind of agreement.

    ``sections`` are ``(heading, markdown)`` of the texts signed; ``rows`` the kind-specific lines of the signature
    page after the common ones (organisation, signer, authority, time), e.g. the terms version and its SHA-256.
    ``subject`` goes into the PDF's metadata; ``reason`` into the seal.
    """

    title: str
    sections: list[tuple[str, str]]
    organisation_name: str
    organisation_number: str
    signer_name: str
    basis_text: str
    signed_at: dt.datetime
    rows: list[tuple[str, str]] = field(default_factory=list)
    subject: str = ""
    reason: str = ""


def render(evidence: SigningEvidence) -> bytes:
    """The agreement as an unsealed PDF: the signed texts and a signature page. Always Norwegian Bokmål."""
    with translation.override("nb"):
        rows = [
            (_("Organisation"), evidence.organisation_name),
            (_("Organisation number"), evidence.organisation_number or _("Not yet known")),
            (_("Signed by"), evidence.signer_name),
            (_("Authority"), evidence.basis_text),
            (_("Time (Europe/Oslo)"), timezone.localtime(evidence.signed_at).strftime("%d.%m.%Y %H:%M:%S")),
            *evidence.rows,
        ]
        return pdf.render_markdown_pdf(
            title=evidence.title,
            sections=evidence.sections,
            signature_page=rows,
            signature_page_title=_("Signature"),
            footer=FOOTER,
            metadata={"subject": evidence.subject} if evidence.subject else None,
        )


def render_and_seal(evidence: SigningEvidence) -> bytes:
    return seal(render(evidence), reason=evidence.reason or evidence.title)


def trust_roots() -> list[bytes]:
    """The trust bundle agreements are verified against (after a CA rotation: the new root and the old ones)."""
    return [settings.SIGNING_TRUST_ROOT.read_bytes()]


def _crls() -> list[bytes]:
    return [path.read_bytes() for path in settings.SIGNING_CRL_PATHS if path.exists()]


# The clock the sealer validates chains at; None: the system clock. Only the test suite sets it (conftest.py), to
# the real time while tests move the process's clock (the TSA, another process, stamps the real time).
CLOCK: Callable[[], dt.datetime] | None = None


@functools.cache
def _signer(
    path: str, password: str, timestamp_url: str, fetch: bool, crl_key: tuple[Any, ...], clock: Any
) -> pades.PadesSigner:
    return pades.PadesSigner(
        path,
        password,
        timestamp_url=timestamp_url or None,
        trust_roots=trust_roots(),
        crls=_crls(),
        allow_fetching=fetch,
        clock=clock,
    )


def signer() -> pades.PadesSigner:
    """The portal's sealer as configured now (rebuilt when the configuration or the CRL files change)."""
    crl_key = tuple((str(path), path.stat().st_mtime_ns) for path in settings.SIGNING_CRL_PATHS if path.exists())
    return _signer(
        str(settings.SIGNING_PKCS12_PATH),
        settings.SIGNING_PKCS12_PASSWORD,
        settings.TIMESTAMP_AUTHORITY_URL,
        settings.SIGNING_FETCH_REVOCATION,
        crl_key,
        CLOCK,
    )


def seal(document: bytes, *, reason: str) -> bytes:
    """Seal a PDF with the portal's certificate: PAdES B-LTA (B-B only if no timestamp authority is configured)."""
    return signer().sign(document, reason=reason)


# --- the archive and verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRecord:
    """The stored agreement a verified file is: what the verification page shows next to the seal's facts."""

    organisation: Any
    what: str
    signer_name: str
    basis_text: str
    signed_at: dt.datetime


@dataclass
class StoredSeal:
    """One sealed PDF in the archive, and how to store its renewed version."""

    label: str
    document: bytes
    save: Callable[[bytes, str], None]  # (the new document, the audit event's reason)


@dataclass(frozen=True)
class SealedArchive:
    """An app's sealed agreements: find one by the SHA-256s of a file's revisions; list them all."""

    name: str
    lookup: Callable[[list[str]], AgreementRecord | None]
    stored: Callable[[], Iterator[StoredSeal]]


ARCHIVES: dict[str, SealedArchive] = {}


def register_archive(archive: SealedArchive) -> None:
    ARCHIVES[archive.name] = archive


@dataclass(frozen=True)
class Verification:
    result: pades.VerificationResult
    record: AgreementRecord | None

    @property
    def genuine(self) -> bool:
        return self.result.ok and self.record is not None


def verify(document: bytes) -> Verification:
    """Is this a genuine, unaltered agreement from the portal, and whose?

    The file may be the copy handed out at signing or a later archive copy with more timestamps: the agreement is
    looked up by the SHA-256 of the whole file and of the file as it was after the seal and after each timestamp.
    """
    result = pades.verify(document, trust_roots=trust_roots())
    record = None
    if result.ok:
        candidates = [result.sha256, *reversed(result.revision_sha256s)]
        for archive in ARCHIVES.values():
            record = archive.lookup(candidates)
            if record is not None:
                break
    return Verification(result=result, record=record)


@dataclass
class RetimestampReport:
    checked: int = 0
    renewed: int = 0
    current: int = 0  # timestamped, and the TSA certificate outlives the margin
    upgraded: int = 0  # old B-B seals given validation data and a first document timestamp
    untimestamped: int = 0  # old B-B seals left as they are (a dry run, or their certificate no longer valid)
    failed: int = 0
    problems: list[str] = field(default_factory=list)


RENEWED_REASON = "Archive timestamp renewed before the timestamp authority's certificate expires."
UPGRADED_REASON = "Old seal without a timestamp (B-B) given its validation data and a first archive timestamp."


def retimestamp_archive(*, margin: dt.timedelta, dry_run: bool = False) -> RetimestampReport:
    """Add a document timestamp to every stored agreement whose evidence expires within ``margin``.

    Idempotent: an agreement is renewed only when its last timestamp's TSA certificate expires within ``margin``
    of now, and the new timestamp comes from the configured TSA, whose certificate must outlive the margin (else
    nothing would be gained; SigningConfigurationError). Old seals without a timestamp (B-B, judged as of now)
    are upgraded while they still verify: their validation data and a first document timestamp are appended, so
    they are judged at that timestamp from then on and outlive the sealing certificate. Each renewed or upgraded PDF
    is verified before it replaces the stored one.
    """
    report = RetimestampReport()
    deadline = timezone.now() + margin
    current_signer = signer()
    for archive in ARCHIVES.values():
        for item in archive.stored():
            report.checked += 1
            before = pades.verify(item.document, trust_roots=trust_roots())
            if not before.ok:
                report.failed += 1
                report.problems.append(f"{item.label}: does not verify ({before.reason}); left as it is")
                continue
            if before.evidence_valid_until is None:
                if dry_run:
                    report.untimestamped += 1
                    continue
                upgraded = current_signer.add_archive_timestamp(item.document)
                after = pades.verify(upgraded, trust_roots=trust_roots())
                if not after.ok or after.judged_at is None:
                    raise pades.SigningConfigurationError(
                        f"{item.label}: the upgraded copy does not verify ({after.detail})"
                    )
                item.save(upgraded, UPGRADED_REASON)
                report.upgraded += 1
                continue
            if before.evidence_valid_until > deadline:
                report.current += 1
                continue
            if dry_run:
                report.renewed += 1
                continue
            renewed = current_signer.add_archive_timestamp(item.document)
            after = pades.verify(renewed, trust_roots=trust_roots())
            if not after.ok:
                raise pades.SigningConfigurationError(
                    f"{item.label}: the renewed copy does not verify ({after.detail})"
                )
            if after.evidence_valid_until is None or after.evidence_valid_until <= before.evidence_valid_until:
                raise pades.SigningConfigurationError(
                    f"{item.label}: the new timestamp's TSA certificate (valid until {after.evidence_valid_until}) "
                    "does not outlive the old one; renew the timestamp authority's certificate first."
                )
            item.save(renewed, RENEWED_REASON)
            report.renewed += 1
    return report


def stored_seals(queryset: Iterable[Any], *, label: Callable[[Any], str]) -> Iterator[StoredSeal]:
    """StoredSeal for each row of a model with ``signed_pdf`` and ``organisation_id``.

    Saving writes only that column, with an audit event naming the SHA-256 before and after: the archive copy of
    a signed agreement changes (by appending evidence; the copy handed out at signing stays verifiable).
    """
    for row in queryset:

        def save(document: bytes, reason: str, row: Any = row) -> None:
            with transaction.atomic():
                type(row).objects.filter(pk=row.pk).update(signed_pdf=document)
                audit_record(
                    actor=None,
                    action="agreement.retimestamped",
                    obj=row,
                    organisation_id=row.organisation_id,
                    before={"sha256": hashlib.sha256(bytes(row.signed_pdf)).hexdigest()},
                    after={"sha256": hashlib.sha256(document).hexdigest()},
                    reason=reason,
                )

        yield StoredSeal(label=label(row), document=bytes(row.signed_pdf), save=save)

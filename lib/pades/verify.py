"""Verifying a sealed agreement: one seal, intact, trusted, covering the document — judged at the time it proves.

* A seal with a trusted RFC 3161 signature timestamp (B-T, B-LT, B-LTA) is validated *at the time of that
  timestamp*, with the certificates and revocation data embedded in the document (nothing is fetched). So a genuine
  agreement stays genuine after the sealing certificate expires or is replaced: what counts is that it was valid
  when the timestamp proves the seal existed. Each document (archive) timestamp is validated at its own time, and
  only validation data and further timestamps may follow the seal (pyHanko's diff analysis: ``LTA_UPDATES``); the
  last timestamp must cover every byte of the file.
* A seal without a timestamp (B-B, as the portal sealed before) is validated as of now, and must cover the file —
  unless the archive has since added validation data and a document timestamp over it
  (``retimestamp_agreements`` upgrades old seals so): then the first document timestamp proves the seal existed at
  its time, and the seal is validated at that time with the embedded validation data, like a timestamped one.

:func:`verify` never raises on bad input: every problem is a :class:`VerificationResult` with ``ok=False`` and a
short reason code.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms
from asn1crypto import parser as asn1_parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import DocumentTimestampStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError

from lib.pades.keys import run_outside_event_loop
from lib.pades.signer import load_trust_roots

logger = logging.getLogger(__name__)

_PDF_HEADER_WINDOW = 1024  # the PDF header may follow some junk; readers look in the first 1024 bytes


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of :func:`verify`.

    ``reason`` is one of: ``ok``, ``not_pdf``, ``unreadable``, ``no_signature``, ``several_signatures``,
    ``modified``, ``not_entire_file``, ``untrusted``, ``invalid``. ``sha256`` is the hex digest of the whole input.
    ``signer_subject`` (RFC 4514) and ``signed_at`` (the signer's claimed time, or a trusted timestamp's) are
    filled in whenever the signature could be read — also when ``ok`` is False, where they are only what the file
    claims. ``detail`` is a human-readable explanation for logs, not for branching. ``revision_sha256s`` lets a
    copy be recognised after the archive added timestamps to it: an earlier copy is a prefix of the later one.
    """

    ok: bool
    reason: str
    signer_subject: str
    signed_at: datetime | None
    sha256: str
    detail: str = ""
    level: str = ""  # "B-B", "B-T", "B-LT" or "B-LTA" (for "B-LT": validation data, no archive timestamp)
    timestamp_authority: str = ""  # subject of the TSA that timestamped the seal, when timestamped and trusted
    archive_timestamps: tuple[datetime, ...] = ()  # times of the document timestamps, oldest first
    evidence_valid_until: datetime | None = None  # when the last timestamp's TSA certificate expires
    judged_at: datetime | None = None  # the proven time the seal was validated at (None: as of now)
    revision_sha256s: tuple[str, ...] = ()  # SHA-256 of the file as it was after the seal and each timestamp


REASONS = frozenset(
    {
        "ok",
        "not_pdf",
        "unreadable",
        "no_signature",
        "several_signatures",
        "modified",
        "not_entire_file",
        "untrusted",
        "invalid",
    }
)

# What reading or validating a broken or hostile file raises in pyHanko/asn1crypto: expected, mapped to a reason.
_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    PdfError,  # includes PdfReadError, PdfStrictReadError
    SignatureValidationError,  # a ValueError in pyHanko 0.38, listed for clarity
    PathError,
    CertValidationError,
    ValueError,  # asn1crypto parse errors, bad numbers
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    EOFError,
    UnicodeError,
    RecursionError,
)


def _subject(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    try:
        return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()
    except ValueError:
        return str(cert.subject.human_friendly)


def _signature_hole_is_canonical(data: bytes, embedded: EmbeddedPdfSignature) -> bool:
    """True if the bytes between the two signed ranges are exactly the signature as a signer writes it.

    /ByteRange leaves out the /Contents string holding the CMS signature, which is padded with zeros to the size
    reserved for it. Validators, pyHanko included, ignore anything after the CMS structure, so the padding (or the
    case of the hex digits, or whitespace) could be changed and the file would still verify while its bytes, and
    so its SHA-256, differ from what was signed. Require the canonical form: "<", the CMS in hex (one letter case
    throughout), zeros, ">".
    """
    try:
        start, first_length, second_start, _second_length = (int(value) for value in embedded.sig_object["/ByteRange"])
        hole = data[start + first_length : second_start]
        if len(hole) < 2 or hole[:1] != b"<" or hole[-1:] != b">":
            return False
        digits = hole[1:-1]
        if len(digits) % 2 or not (_UPPER_HEX.fullmatch(digits) or _LOWER_HEX.fullmatch(digits)):
            return False
        raw = bytes.fromhex(digits.decode("ascii"))
        _class, _method, _tag, header, contents, trailer = asn1_parser.parse(raw, strict=False)
        der_length = len(header) + len(contents) + len(trailer)
        return raw[der_length:].count(0) == len(raw) - der_length
    except _EXPECTED_ERRORS:
        return False


_UPPER_HEX = re.compile(rb"[0-9A-F]*")
_LOWER_HEX = re.compile(rb"[0-9a-f]*")


def _looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:_PDF_HEADER_WINDOW]


def _gen_time(signed_data: cms.SignedData) -> datetime:
    """The time a timestamp token claims (TSTInfo genTime); trusted only once the token validates."""
    moment: datetime = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    return moment


def _signature_timestamp(embedded: EmbeddedPdfSignature) -> cms.SignedData | None:
    tokens = embedded.signer_info["unsigned_attrs"]
    if not tokens:
        return None
    for attribute in tokens:
        if attribute["type"].native == "signature_time_stamp_token":
            return attribute["values"][0]["content"]
    return None


def _byte_range_end(embedded: EmbeddedPdfSignature) -> int:
    _start, _first_length, second_start, second_length = (int(value) for value in embedded.sig_object["/ByteRange"])
    return second_start + second_length


_END_OF_REVISION = re.compile(rb"%%EOF(?:\r\n|\r|\n)?")


def _revision_sha256s(data: bytes, signatures: list[EmbeddedPdfSignature]) -> list[str]:
    """SHA-256 of the file as it was at the end of the seal's revision and of every later revision, oldest first.

    An archive copy grows by incremental updates (validation data, timestamps), so each earlier copy, such as
    the one handed out at signing, is a prefix ending where one of its revisions ends.
    """
    start = min(_byte_range_end(item) for item in signatures)
    ends = {_byte_range_end(item) for item in signatures}
    ends.update(match.end() for match in _END_OF_REVISION.finditer(data, start))
    return [hashlib.sha256(data[:end]).hexdigest() for end in sorted(ends)]


_TAIL = re.compile(rb"startxref\s+\d+\s+%%EOF\s*\Z")


def _ends_with_a_revision(data: bytes) -> bool:
    """True if the file ends with the trailer of its last revision: nothing was appended that readers would skip."""
    return _TAIL.search(data[-4096:]) is not None


def verify(pdf_bytes: bytes, *, trust_roots: list[bytes]) -> VerificationResult:
    """Verify that ``pdf_bytes`` carries exactly one valid PAdES seal, and only evidence after it.

    The seal must be intact and cryptographically valid and chain to one of ``trust_roots`` (PEM bundles or DER;
    nothing else is trusted, nothing is fetched). With a signature timestamp, everything is judged at the time the
    timestamp proves, with the revocation data embedded in the file; without one, as of now (see the module).

    Never raises for bad input. Unusable ``trust_roots`` raise SigningConfigurationError (a configuration error).
    """
    roots = load_trust_roots(trust_roots)
    data = bytes(pdf_bytes) if not isinstance(pdf_bytes, bytes) else pdf_bytes
    digest = hashlib.sha256(data).hexdigest()
    found: dict[str, Any] = {}

    def result(reason: str, detail: str) -> VerificationResult:
        return VerificationResult(
            ok=reason == "ok",
            reason=reason,
            signer_subject=found.get("subject", ""),
            signed_at=found.get("signed_at"),
            sha256=digest,
            detail=detail,
            level=found.get("level", ""),
            timestamp_authority=found.get("timestamp_authority", ""),
            archive_timestamps=tuple(found.get("archive_timestamps", ())),
            evidence_valid_until=found.get("evidence_valid_until"),
            judged_at=found.get("judged_at"),
            revision_sha256s=tuple(found.get("revision_sha256s", ())),
        )

    if not _looks_like_pdf(data):
        return result("not_pdf", "The file does not start with a PDF header.")

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
        document_timestamps = sorted(reader.embedded_timestamp_signatures, key=lambda ts: ts.signed_revision)
    except _EXPECTED_ERRORS as exc:
        return result("unreadable", f"The PDF cannot be read: {type(exc).__name__}: {exc}")
    except Exception as exc:  # never raise for bad input; but say so loudly, this is a gap in _EXPECTED_ERRORS
        logger.exception("Unexpected error while reading a PDF for signature verification")
        return result("unreadable", f"The PDF cannot be read: {type(exc).__name__}: {exc}")

    # Only /Sig signatures count as seals; document timestamps (/DocTimeStamp) are the archive's evidence.
    if not signatures:
        return result("no_signature", "The PDF has no signature.")
    if len(signatures) > 1:
        return result("several_signatures", f"The PDF has {len(signatures)} signatures; exactly one is expected.")
    embedded = signatures[0]

    try:
        return _verify_seal(data, reader, embedded, document_timestamps, roots, found, result)
    except _EXPECTED_ERRORS as exc:
        return result("invalid", f"The signature cannot be validated: {type(exc).__name__}: {exc}")
    except Exception as exc:  # never raise for bad input; see above
        logger.exception("Unexpected error while validating a PDF signature")
        return result("invalid", f"The signature cannot be validated: {type(exc).__name__}: {exc}")


def _verify_seal(
    data: bytes,
    reader: PdfFileReader,
    embedded: EmbeddedPdfSignature,
    document_timestamps: list[EmbeddedPdfSignature],
    roots: list[asn1_x509.Certificate],
    found: dict[str, Any],
    result: Callable[[str, str], VerificationResult],
) -> VerificationResult:
    with contextlib.suppress(*_EXPECTED_ERRORS):
        found["subject"] = _subject(embedded.signer_cert)
        found["signed_at"] = embedded.self_reported_timestamp
    found["revision_sha256s"] = _revision_sha256s(data, [embedded, *document_timestamps])

    token = _signature_timestamp(embedded)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (KeyError, ValueError, TypeError, PdfError):
        dss = None

    def context(moment: datetime | None) -> ValidationContext:
        kwargs: dict[str, Any] = {"trust_roots": roots, "allow_fetching": False}
        if moment is not None:
            # Revocation data issued around the seal is taken to speak for that moment, not only from its issue on.
            kwargs.update(moment=moment, retroactive_revinfo=True)
        return dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)

    claimed = _gen_time(token) if token is not None else None
    # An old B-B seal archived later: the first document timestamp is the proof of existence it is judged at. The
    # claim is trusted only because every document timestamp is validated below before the result can be "ok".
    judged_at = claimed
    if judged_at is None and document_timestamps:
        judged_at = _gen_time(document_timestamps[0].signed_data)
    status = run_outside_event_loop(
        lambda: validate_pdf_signature(
            embedded, signer_validation_context=context(judged_at), ts_validation_context=context(claimed)
        )
    )
    found["subject"] = _subject(status.signing_cert) or found.get("subject", "")
    found["signed_at"] = status.signer_reported_dt or found.get("signed_at")
    timestamp = status.timestamp_validity
    timestamp_ok = timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted
    if timestamp is not None and timestamp_ok:
        found["signed_at"] = timestamp.timestamp
        found["timestamp_authority"] = _subject(timestamp.signing_cert)
        found["evidence_valid_until"] = timestamp.signing_cert.not_valid_after
    found["level"] = "B-B" if token is None else ("B-LTA" if document_timestamps else ("B-LT" if dss else "B-T"))

    if not status.intact:
        return result("modified", "The signed bytes have been changed since signing.")
    if not status.valid:
        return result("invalid", "The signature value does not match the signer's key.")
    if token is not None and not timestamp_ok:
        return result("invalid", "The seal's timestamp is not intact, not valid or not from a trusted authority.")
    if token is not None and (timestamp is None or timestamp.timestamp != claimed):
        return result("invalid", "The seal's timestamp does not say the time it was validated at.")
    if not _signature_hole_is_canonical(data, embedded):
        return result("modified", "Bytes in the signature value's placeholder were changed after signing.")

    if not _ends_with_a_revision(data):
        return result("not_entire_file", "Bytes were added after the document's last revision.")
    if not document_timestamps:
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            coverage = status.coverage.name if status.coverage is not None else "unknown"
            return result("not_entire_file", f"The signature does not cover the whole file (coverage {coverage}).")
        if status.modification_level not in (None, ModificationLevel.NONE):
            return result("modified", f"The document was modified after signing ({status.modification_level}).")
    else:
        if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
            return result("not_entire_file", "The signature does not cover the revision it signs.")
        if status.modification_level not in (None, ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
            return result("modified", f"The document was modified after sealing ({status.modification_level}).")
        if document_timestamps[0].signed_revision <= embedded.signed_revision:
            return result("invalid", "A document timestamp precedes the seal.")
        archive_times = []
        for item in document_timestamps:
            moment = _gen_time(item.signed_data)
            ts_status: DocumentTimestampStatus = run_outside_event_loop(
                functools.partial(validate_pdf_timestamp, item, validation_context=context(moment))
            )
            if not (ts_status.intact and ts_status.valid):
                return result("modified", "A document timestamp does not match the bytes it covers.")
            if not ts_status.trusted:
                return result("untrusted", "A document timestamp is not from a trusted timestamp authority.")
            if not _signature_hole_is_canonical(data, item):
                return result("modified", "Bytes in a timestamp's placeholder were changed after timestamping.")
            # After a document timestamp only validation data (the DSS) and further timestamps may follow.
            if ts_status.modification_level not in (None, ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
                return result(
                    "modified", f"The document was modified after timestamping ({ts_status.modification_level})."
                )
            archive_times.append(ts_status.timestamp)
            found["evidence_valid_until"] = ts_status.signing_cert.not_valid_after
        found["archive_timestamps"] = archive_times

    if not status.trusted or status.revoked:
        problem = status.trust_problem_indic
        indication = getattr(problem, "name", "no trusted path") if problem is not None else "no trusted path"
        return result("untrusted", f"The signer's certificate is not trusted ({indication}).")
    if not status.bottom_line:
        return result("invalid", "The signature fails pyHanko's overall judgment (timestamp or seed values).")
    found["judged_at"] = judged_at
    if token is not None:
        return result("ok", "The seal is valid, trusted and timestamped; only evidence was added after it.")
    if document_timestamps:
        return result("ok", "The seal is valid and trusted at its first archive timestamp; only evidence follows it.")
    return result("ok", "The signature is valid, trusted and covers the whole file.")

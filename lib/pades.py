"""PAdES signatures on PDFs with pyHanko: a demo CA, a signer and a verifier that never raises on bad input.

* :func:`create_demo_ca` / :func:`ensure_demo_ca` – a self-signed demo root CA and a document-sealing certificate
  issued by it, written as ``root-ca.pem`` and ``signing.p12``. For development and tests only.
* :class:`PadesSigner` – loads a PKCS#12 file and signs PDFs as PAdES (``ETSI.CAdES.detached``, SHA-256, the
  certificate chain embedded). No timestamp unless a TSA URL is given.
* :func:`verify` – checks that a PDF carries exactly one intact, valid signature that covers the whole file and
  chains to one of the given trust roots. Returns a :class:`VerificationResult` with a short reason code.

pyHanko's synchronous entry points run ``asyncio.run`` inside; called from a thread that already runs an event loop
they would fail, so both signing and verifying move to a worker thread in that case.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from asn1crypto import parser as asn1_parser
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

__all__ = [
    "DEMO_ROOT_CN",
    "DEMO_SIGNING_CN",
    "REASONS",
    "PadesSigner",
    "SigningConfigurationError",
    "VerificationResult",
    "create_demo_ca",
    "ensure_demo_ca",
    "verify",
]

logger = logging.getLogger(__name__)

DEMO_ROOT_CN = "Medlemsportal Demo Root CA (NOT FOR PRODUCTION)"
DEMO_SIGNING_CN = "Medlemsportal dokumentsegl (demo)"
DEMO_ORGANISATION = "Norsk helsenett SF (demo)"
P12_NAME = "signing.p12"
ROOT_PEM_NAME = "root-ca.pem"

# id-kp-documentSigning (RFC 9336); cryptography has no constant for it.
DOCUMENT_SIGNING_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_RSA_BITS = 3072
_ROOT_VALIDITY = timedelta(days=3652)
_SIGNING_VALIDITY = timedelta(days=3 * 365)
_CLOCK_SKEW = timedelta(minutes=5)
_PDF_HEADER_WINDOW = 1024  # the PDF header may follow some junk; readers look in the first 1024 bytes

T = TypeVar("T")


class SigningConfigurationError(Exception):
    """The signing key material or trust configuration is missing, unreadable or unusable."""


# --------------------------------------------------------------------------------------------------------------------
# Demo CA


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, digital_signature=False, content_commitment=False, key_cert_sign=False, crl_sign=False):
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _demo_certificates() -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    """A fresh root CA and a signing certificate issued by it: (signing key, signing cert, root cert)."""
    now = datetime.now(UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    root_name = _name(DEMO_ROOT_CN)
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + _ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )

    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    signing_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(DEMO_SIGNING_CN))
        .issuer_name(root_name)
        .public_key(signing_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + _SIGNING_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        # emailProtection is what poppler/NSS accept for document signers; documentSigning is the RFC 9336 purpose.
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_OID]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return signing_key, signing_cert, root_cert


def _p12_encryption(password: str) -> serialization.KeySerializationEncryption:
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(100_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` with exactly ``mode``, via a temporary file in the same directory."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # mkstemp makes 0600; set the wanted mode regardless of the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _check_password(password: str) -> None:
    if not isinstance(password, str) or not password:
        raise SigningConfigurationError("The PKCS#12 password must be a non-empty string.")


def create_demo_ca(directory: Path, *, password: str) -> tuple[Path, Path]:
    """Create a demo root CA and a signing certificate in ``directory``, replacing any that are there.

    Writes ``root-ca.pem`` (the root certificate only, mode 0644) and ``signing.p12`` (signing key, signing
    certificate and the root in the chain, encrypted with ``password``, mode 0600). Returns
    ``(p12_path, root_pem_path)``. For development and tests only: the root is named "NOT FOR PRODUCTION".
    """
    _check_password(password)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    signing_key, signing_cert, root_cert = _demo_certificates()
    p12_bytes = pkcs12.serialize_key_and_certificates(
        name=DEMO_SIGNING_CN.encode(),
        key=signing_key,
        cert=signing_cert,
        cas=[root_cert],
        encryption_algorithm=_p12_encryption(password),
    )
    p12_path = directory / P12_NAME
    root_pem_path = directory / ROOT_PEM_NAME
    _write_atomically(root_pem_path, root_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_atomically(p12_path, p12_bytes, 0o600)
    logger.info("Created the demo signing CA in %s", directory)
    return p12_path, root_pem_path


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    with open(directory / ".demo-ca.lock", "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def ensure_demo_ca(directory: Path, password: str) -> tuple[Path, Path]:
    """Create the demo CA in ``directory`` unless it is there already; returns ``(p12_path, root_pem_path)``.

    Safe to call from several processes at once. If only ``signing.p12`` is there, ``root-ca.pem`` is restored from
    its chain; if only ``root-ca.pem`` is there, the signing key is lost and :class:`SigningConfigurationError` is
    raised rather than silently replacing a trust root.
    """
    _check_password(password)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    p12_path = directory / P12_NAME
    root_pem_path = directory / ROOT_PEM_NAME
    with _directory_lock(directory):
        have_p12, have_root = p12_path.exists(), root_pem_path.exists()
        if have_p12 and have_root:
            return p12_path, root_pem_path
        if have_p12:
            root = _root_from_p12(p12_path, password)
            _write_atomically(root_pem_path, root.public_bytes(serialization.Encoding.PEM), 0o644)
            return p12_path, root_pem_path
        if have_root:
            raise SigningConfigurationError(
                f"{root_pem_path} exists but {p12_path} is missing. Remove {root_pem_path} to create a new demo CA "
                "(documents signed with the old one will then no longer verify)."
            )
        return create_demo_ca(directory, password=password)


def _root_from_p12(p12_path: Path, password: str) -> x509.Certificate:
    _key, cert, chain = _load_p12(p12_path, password)
    for candidate in chain:
        if candidate.subject == cert.issuer and candidate.subject == candidate.issuer:
            return candidate
    raise SigningConfigurationError(f"{p12_path} holds no self-signed issuer certificate to restore the root from.")


# --------------------------------------------------------------------------------------------------------------------
# Signing


def _load_p12(p12_path: Path, password: str) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    """Key, certificate and chain from a PKCS#12 file, or SigningConfigurationError saying what is wrong."""
    path = Path(p12_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningConfigurationError(f"The signing PKCS#12 file {path} does not exist.") from None
    except IsADirectoryError:
        raise SigningConfigurationError(f"The signing PKCS#12 path {path} is a directory, not a file.") from None
    except OSError as exc:
        raise SigningConfigurationError(f"The signing PKCS#12 file {path} cannot be read: {exc.strerror}.") from None
    if not _looks_like_pkcs12(data):
        raise SigningConfigurationError(f"{path} is not a PKCS#12 (.p12/.pfx) file.")
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError:
        raise SigningConfigurationError(
            f"Could not open {path}: wrong password, or the PKCS#12 file is damaged."
        ) from None
    if key is None or cert is None:
        raise SigningConfigurationError(f"{path} must hold a private key and its certificate.")
    return key, cert, list(chain)


def _looks_like_pkcs12(data: bytes) -> bool:
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except (ValueError, TypeError, KeyError):
        return False


def _run_outside_event_loop(function: Callable[[], T]) -> T:
    """Call ``function`` here, or in a worker thread if this thread runs an event loop (pyHanko uses asyncio.run)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pades") as pool:
        return pool.submit(function).result()


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, but signing with the already loaded key.

    SimpleSigner.sign_raw re-parses the private key from DER on every call (twice per PDF: a dry run to size the
    signature, then the real one), and cryptography's RSA key-consistency check makes each parse cost ~140 ms for a
    3072-bit key, which is most of the signing time. For RSA PKCS#1 v1.5 (what pyHanko picks for an RSA key) sign
    with the key loaded once; anything else goes through pyHanko unchanged.
    """

    def __init__(self, *, private_key: object, **kwargs) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = None
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, rsa.RSAPrivateKey):
            return self._private_key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


class PadesSigner:
    """Signs PDFs as PAdES with the key and certificate chain of a PKCS#12 file.

    ``timestamp_url``: the RFC 3161 timestamp authority to add a signature timestamp (PAdES B-T) from; ``None``
    (the default, as this environment has no network) signs without a timestamp (B-B).
    """

    def __init__(self, p12_path: Path, password: str, *, timestamp_url: str | None = None) -> None:
        if not isinstance(password, str):
            raise SigningConfigurationError("The PKCS#12 password must be a string.")
        key, cert, chain = _load_p12(p12_path, password)
        now = datetime.now(UTC)
        if cert.not_valid_after_utc <= now:
            raise SigningConfigurationError(
                f"The signing certificate in {p12_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}."
            )
        try:
            self._signer = _LoadedKeySigner(
                private_key=key,
                signing_key=translate_pyca_cryptography_key_to_asn1(key),
                signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
                cert_registry=SimpleCertificateStore.from_certs(
                    [translate_pyca_cryptography_cert_to_asn1(extra) for extra in chain]
                ),
            )
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise SigningConfigurationError(f"pyHanko cannot sign with the key in {p12_path}: {exc}") from exc
        self.p12_path = Path(p12_path)
        self.subject = cert.subject.rfc4514_string()
        self.not_valid_after = cert.not_valid_after_utc
        self.timestamp_url = timestamp_url

    def _timestamper(self) -> timestamps.TimeStamper | None:
        if self.timestamp_url is None:
            return None
        return timestamps.HTTPTimeStamper(self.timestamp_url)

    def sign(
        self,
        pdf_bytes: bytes,
        *,
        reason: str,
        location: str = "Norway",
        field_name: str = "Medlemsportal",
    ) -> bytes:
        """Return ``pdf_bytes`` with a PAdES signature added as an incremental update (invisible field).

        ``field_name`` names the new signature field; signing a PDF that already has a signed field of that name
        raises ``ValueError`` (pyHanko's SigningError), as does ``pdf_bytes`` that pyHanko cannot read and update.
        Note that :func:`verify` accepts only documents with exactly one signature.
        """
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
            raise ValueError(f"The document to sign is not a readable PDF: {exc}") from exc
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        pdf_signer = signers.PdfSigner(metadata, signer=self._signer, timestamper=self._timestamper())
        output = _run_outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=io.BytesIO()))
        return output.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of :func:`verify`.

    ``reason`` is one of: ``ok``, ``not_pdf``, ``unreadable``, ``no_signature``, ``several_signatures``,
    ``modified``, ``not_entire_file``, ``untrusted``, ``invalid``. ``sha256`` is the hex digest of the whole input.
    ``signer_subject`` (RFC 4514) and ``signed_at`` (the signer's claimed time, or a trusted timestamp's) are
    filled in whenever the signature could be read — also when ``ok`` is False, where they are only what the file
    claims. ``detail`` is a human-readable explanation for logs, not for branching.
    """

    ok: bool
    reason: str
    signer_subject: str
    signed_at: datetime | None
    sha256: str
    detail: str = ""


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


def _load_trust_roots(trust_roots: list[bytes]) -> list[asn1_x509.Certificate]:
    roots: list[asn1_x509.Certificate] = []
    for index, data in enumerate(trust_roots):
        try:
            certs = list(load_certs_from_pemder_data(bytes(data)))
            for cert in certs:
                cert.native  # noqa: B018 – force asn1crypto to parse the whole certificate now
        except (ValueError, TypeError) as exc:
            raise SigningConfigurationError(f"Trust root #{index} is not a PEM or DER certificate: {exc}") from exc
        if not certs:
            raise SigningConfigurationError(f"Trust root #{index} holds no certificate.")
        roots.extend(certs)
    return roots


def _subject(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    try:
        return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()
    except ValueError:
        return cert.subject.human_friendly


def _signature_hole_is_canonical(data: bytes, embedded) -> bool:
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


def verify(pdf_bytes: bytes, *, trust_roots: list[bytes]) -> VerificationResult:
    """Verify that ``pdf_bytes`` carries exactly one valid PAdES/PDF signature over the entire file.

    The signature must be intact and cryptographically valid, cover every byte of the file (no incremental update
    after it), and chain to one of ``trust_roots`` (PEM or DER certificates; nothing else is trusted, and nothing is
    fetched from the network). Revocation is not checked (no CRL/OCSP available), and certificate validity is
    judged at the time of verification.

    Never raises for bad input: every problem with the document is a result with ``ok=False``. Unusable
    ``trust_roots`` raise :class:`SigningConfigurationError`, since that is a configuration error.
    """
    roots = _load_trust_roots(trust_roots)
    data = bytes(pdf_bytes) if not isinstance(pdf_bytes, bytes) else pdf_bytes
    digest = hashlib.sha256(data).hexdigest()

    def result(reason: str, detail: str, *, subject: str = "", signed_at: datetime | None = None) -> VerificationResult:
        return VerificationResult(
            ok=reason == "ok", reason=reason, signer_subject=subject, signed_at=signed_at, sha256=digest, detail=detail
        )

    if not _looks_like_pdf(data):
        return result("not_pdf", "The file does not start with a PDF header.")

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except _EXPECTED_ERRORS as exc:
        return result("unreadable", f"The PDF cannot be read: {type(exc).__name__}: {exc}")
    except Exception as exc:  # never raise for bad input; but say so loudly, this is a gap in _EXPECTED_ERRORS
        logger.exception("Unexpected error while reading a PDF for signature verification")
        return result("unreadable", f"The PDF cannot be read: {type(exc).__name__}: {exc}")

    # Only /Sig signatures count; document timestamps (PAdES-LTA, if ever added) are not signatures of a person.
    if not signatures:
        return result("no_signature", "The PDF has no signature.")
    if len(signatures) > 1:
        return result("several_signatures", f"The PDF has {len(signatures)} signatures; exactly one is expected.")
    embedded = signatures[0]

    subject = ""
    signed_at = None
    with contextlib.suppress(*_EXPECTED_ERRORS):
        subject = _subject(embedded.signer_cert)
        signed_at = embedded.self_reported_timestamp

    def validate():
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        return validate_pdf_signature(embedded, signer_validation_context=context)

    try:
        status = _run_outside_event_loop(validate)
    except _EXPECTED_ERRORS as exc:
        detail = f"The signature cannot be validated: {type(exc).__name__}: {exc}"
        return result("invalid", detail, subject=subject, signed_at=signed_at)
    except Exception as exc:  # never raise for bad input; see above
        logger.exception("Unexpected error while validating a PDF signature")
        detail = f"The signature cannot be validated: {type(exc).__name__}: {exc}"
        return result("invalid", detail, subject=subject, signed_at=signed_at)

    subject = _subject(status.signing_cert) or subject
    signed_at = status.signer_reported_dt or signed_at
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted:
        signed_at = timestamp.timestamp
    found = {"subject": subject, "signed_at": signed_at}

    if not status.intact:
        return result("modified", "The signed bytes have been changed since signing.", **found)
    if not status.valid:
        return result("invalid", "The signature value does not match the signer's key.", **found)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        coverage = status.coverage.name if status.coverage is not None else "unknown"
        return result("not_entire_file", f"The signature does not cover the whole file (coverage {coverage}).", **found)
    if not _signature_hole_is_canonical(data, embedded):
        return result("modified", "Bytes in the signature value's placeholder were changed after signing.", **found)
    if status.modification_level not in (None, ModificationLevel.NONE):
        return result("modified", f"The document was modified after signing ({status.modification_level}).", **found)
    if not status.trusted or status.revoked:
        indication = status.trust_problem_indic.name if status.trust_problem_indic is not None else "no trusted path"
        return result("untrusted", f"The signer's certificate is not trusted ({indication}).", **found)
    if not status.bottom_line:
        return result("invalid", "The signature fails pyHanko's overall judgment (timestamp or seed values).", **found)
    return result("ok", "The signature is valid, trusted and covers the whole file.", **found)

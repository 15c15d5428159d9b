"""Sealing PDFs as PAdES with pyHanko: baseline B-B (no timestamp, the old seals) or B-LTA, and re-timestamping.

B-LTA, as :class:`PadesSigner` makes it when given a timestamp authority:

1. the seal: a CMS signature (``ETSI.CAdES.detached``, SHA-256, the certificate chain embedded);
2. an RFC 3161 signature timestamp over the signature value (B-T): proof the seal existed at that time;
3. the validation data (certificates, CRLs/OCSP responses of the seal's and the TSA's chains) in the document
   security store (B-LT), so the seal can be checked without the network, long after the CA stops answering;
4. a document timestamp over all of that (B-LTA), which :func:`add_archive_timestamp` renews before the TSA's own
   certificate expires.

Revocation data comes from ``crls`` (the demo CA's ``ca.crl``) and, when ``allow_fetching`` is true (production
with a real CA), from the CRL distribution points and OCSP responders named in the certificates.
"""

from __future__ import annotations

import contextlib
import functools
import io
import ssl
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps, validation
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lib.pades.keys import LoadedKeySigner, SigningConfigurationError, load_p12, run_outside_event_loop

TIMESTAMP_TIMEOUT_SECONDS = 10


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class _TimeStamper(timestamps.HTTPTimeStamper):
    """pyHanko's HTTP timestamp client, with one TLS context for the process.

    pyHanko opens an aiohttp session per request, and each builds a TLS context with the system's CA store
    (~120 ms, even for an http:// TSA) — most of a timestamp's cost. The session is still per request (it is bound
    to the event loop of the call); only the context is shared. Overrides a private hook: should pyHanko rename
    it, requests fall back to pyHanko's own sessions, slower but the same.
    """

    @contextlib.asynccontextmanager
    async def _acquire_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_ssl_context())) as session:
            yield session


def _timestamper(url: str) -> timestamps.TimeStamper:
    return _TimeStamper(url, timeout=TIMESTAMP_TIMEOUT_SECONDS)


def load_trust_roots(trust_roots: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or several per item, a bundle) or DER data, or SigningConfigurationError."""
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


def validation_context(
    *,
    trust_roots: list[asn1_x509.Certificate],
    crls: Iterable[bytes] = (),
    allow_fetching: bool = False,
    moment: datetime | None = None,
) -> ValidationContext:
    """What sealing checks (and then embeds) the chains against: hard-fail, so a seal never lacks revocation data.

    ``moment``: the time to validate at (default: now).
    """
    return ValidationContext(
        trust_roots=trust_roots,
        crls=list(crls),
        allow_fetching=allow_fetching,
        revocation_mode="hard-fail",
        moment=moment,
    )


class PadesSigner:
    """Seals PDFs as PAdES with the key and certificate chain of a PKCS#12 file.

    ``timestamp_url``: the RFC 3161 timestamp authority. With it, seals are B-LTA (timestamp, validation data,
    document timestamp); without it (``None``), B-B as the portal sealed before timestamps — kept for tests of old
    documents and for comparison in the benchmark. ``trust_roots`` (PEM/DER) and ``crls`` (DER) are what the chains
    are validated against before the validation data is embedded; the PKCS#12 file's own root is always included.
    ``clock`` gives the time the chains are validated at (default: the system clock). The test suite passes the
    real time while it moves the process's clock: the timestamp authority, in its own process, stamps the real
    time, and that is what the seal is later judged at.
    """

    def __init__(
        self,
        p12_path: Path | str,
        password: str,
        *,
        timestamp_url: str | None = None,
        trust_roots: Iterable[bytes] = (),
        crls: Iterable[bytes] = (),
        allow_fetching: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not isinstance(password, str):
            raise SigningConfigurationError("The PKCS#12 password must be a string.")
        key, cert, chain = load_p12(Path(p12_path), password)
        self._clock = clock or (lambda: datetime.now(UTC))
        now = self._clock()
        if cert.not_valid_after_utc <= now:
            raise SigningConfigurationError(
                f"The signing certificate in {p12_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}."
            )
        chain_asn1 = [translate_pyca_cryptography_cert_to_asn1(extra) for extra in chain]
        try:
            self._signer = LoadedKeySigner(
                private_key=key,
                signing_key=translate_pyca_cryptography_key_to_asn1(key),
                signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
                cert_registry=SimpleCertificateStore.from_certs(chain_asn1),  # type: ignore[no-untyped-call]  # pyhanko-certvalidator leaves it unannotated
            )
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise SigningConfigurationError(f"pyHanko cannot sign with the key in {p12_path}: {exc}") from exc
        self.p12_path = Path(p12_path)
        self.subject = cert.subject.rfc4514_string()
        self.not_valid_after = cert.not_valid_after_utc
        self.timestamp_url = timestamp_url or None
        self._roots = [c for c in chain_asn1 if c.self_signed] + load_trust_roots(trust_roots)
        self._crls = list(crls)
        self._allow_fetching = allow_fetching
        # One client for all seals: pyHanko caches its size-estimate ("dummy") timestamp per client, which saves
        # a third request to the TSA on every seal after the first.
        self._timestamper = _timestamper(self.timestamp_url) if self.timestamp_url else None

    @property
    def level(self) -> str:
        return "B-LTA" if self.timestamp_url else "B-B"

    def _validation_context(self) -> ValidationContext:
        return validation_context(
            trust_roots=self._roots, crls=self._crls, allow_fetching=self._allow_fetching, moment=self._clock()
        )

    def sign(
        self,
        pdf_bytes: bytes,
        *,
        reason: str,
        location: str = "Norway",
        field_name: str = "Medlemsportal",
    ) -> bytes:
        """Return ``pdf_bytes`` sealed (invisible field), as incremental updates: B-LTA with a TSA, else B-B.

        Raises ``ValueError`` for a PDF pyHanko cannot read and update (or whose field ``field_name`` is already
        signed), and pyHanko's errors if the TSA cannot be reached or the chains fail validation (no seal is then
        made: a B-LTA seal without its evidence would be worth less than none).
        """
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
            raise ValueError(f"The document to sign is not a readable PDF: {exc}") from exc
        long_term = self.timestamp_url is not None
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=long_term,
            use_pades_lta=long_term,
            validation_context=self._validation_context() if long_term else None,
        )
        pdf_signer = signers.PdfSigner(metadata, signer=self._signer, timestamper=self._timestamper)
        output: io.BytesIO = run_outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=io.BytesIO()))
        sealed: bytes = output.getvalue()
        return sealed

    def add_archive_timestamp(self, pdf_bytes: bytes) -> bytes:
        """Extend the archive timestamp chain: validation data for the last timestamp, and a new document timestamp.

        For a document whose latest timestamp comes from a TSA certificate that will soon expire (or is being
        replaced). The last timestamp must still validate now. An old B-B seal (no timestamp at all) gets its own
        validation data and a first document timestamp, while its certificate is still valid. Raises ``ValueError``
        for an unreadable PDF and SigningConfigurationError when no timestamp authority is configured.
        """
        return add_archive_timestamp(
            pdf_bytes, timestamp_url=self.timestamp_url, validation_context=self._validation_context()
        )


def add_archive_timestamp(
    pdf_bytes: bytes, *, timestamp_url: str | None, validation_context: ValidationContext
) -> bytes:
    if not timestamp_url:
        raise SigningConfigurationError("Re-timestamping needs a timestamp authority (TIMESTAMP_AUTHORITY_URL).")
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"The document is not a readable PDF: {exc}") from exc
    stamper = signers.PdfTimeStamper(_timestamper(timestamp_url))
    if reader.embedded_timestamp_signatures:
        output = run_outside_event_loop(
            lambda: stamper.update_archival_timestamp_chain(
                reader, validation_context, in_place=False, output=io.BytesIO()
            )
        )
    else:
        # An old B-B seal: first its own validation data (chain and revocation data, valid now), then a document
        # timestamp over it, which from then on proves the seal existed while its certificate was valid.
        with_dss = pdf_bytes
        seals = reader.embedded_regular_signatures
        if seals:
            updated = run_outside_event_loop(
                lambda: validation.add_validation_info(seals[0], validation_context, skip_timestamp=True)
            )
            with_dss = updated.getvalue()
        writer = IncrementalPdfFileWriter(io.BytesIO(with_dss), strict=False)
        output = run_outside_event_loop(
            lambda: stamper.timestamp_pdf(writer, "sha256", validation_context, output=io.BytesIO())
        )
    sealed: bytes = output.getvalue()
    return sealed

"""The demo CA: a root, a document-sealing certificate, a timestamp authority's certificate and a CRL.

For development and tests only (every name says "demo"; the root says "NOT FOR PRODUCTION"). A CA directory holds:

* ``root-ca.pem`` – the trust bundle: the current root first, then any earlier roots (see :func:`ensure_demo_ca`),
  so that agreements sealed under an earlier demo CA keep verifying, as a rotated production root would.
* ``root-ca.key`` – the root's private key, encrypted with the password (0600); it issues the CRL.
* ``signing.p12`` – the sealing key and certificate with the root in the chain (0600).
* ``tsa.p12`` – the local timestamp authority's key and certificate (extended key usage timeStamping, critical).
* ``ca.crl`` – the root's CRL (DER). Revocation information must be embedded when sealing (PAdES B-LT and up), and
  nothing is fetched from the network, so the CA publishes a CRL file that the sealer reads.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from lib.pades.keys import SigningConfigurationError, check_password, load_p12, write_atomically

logger = logging.getLogger(__name__)

DEMO_ROOT_CN = "Medlemsportal Demo Root CA (NOT FOR PRODUCTION)"
DEMO_SIGNING_CN = "Medlemsportal dokumentsegl (demo)"
DEMO_TSA_CN = "Medlemsportal tidsstempeltjeneste (demo)"
DEMO_ORGANISATION = "Norsk helsenett SF (demo)"
P12_NAME = "signing.p12"
ROOT_PEM_NAME = "root-ca.pem"
ROOT_KEY_NAME = "root-ca.key"
TSA_P12_NAME = "tsa.p12"
CRL_NAME = "ca.crl"
# Where the CRL would be published; written into the certificates so validators know which CRL covers them.
# Nothing fetches it: the sealer reads ``ca.crl`` and embeds it.
CRL_URL = "http://127.0.0.1/medlemsportal-demo-ca.crl"

# id-kp-documentSigning (RFC 9336); cryptography has no constant for it.
DOCUMENT_SIGNING_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")

_RSA_BITS = 3072
_TSA_RSA_BITS = 2048  # a timestamp per seal and per re-timestamp; 2048 bits is what public TSAs commonly use
_ROOT_VALIDITY = timedelta(days=3652)
_SIGNING_VALIDITY = timedelta(days=3 * 365)
_TSA_VALIDITY = timedelta(days=6 * 365)
_CRL_VALIDITY = timedelta(days=30)
_CRL_REFRESH_AFTER = timedelta(days=1)
_CLOCK_SKEW = timedelta(minutes=5)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
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


def _root(now: datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    root_name = _name(DEMO_ROOT_CN)
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return root_key, root_cert


def _issue(
    *,
    root_key: rsa.RSAPrivateKey,
    root_cert: x509.Certificate,
    common_name: str,
    validity: timedelta,
    key_bits: int,
    extended_key_usage: x509.ExtendedKeyUsage,
    eku_critical: bool,
    now: datetime,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
    root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    distribution_point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(CRL_URL)], relative_name=None, reasons=None, crl_issuer=None
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(min(now + validity, root_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(extended_key_usage, critical=eku_critical)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False)
        .add_extension(x509.CRLDistributionPoints([distribution_point]), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    return key, cert


def _p12_encryption(password: str) -> serialization.KeySerializationEncryption:
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(100_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode())
    )


def _p12(key: rsa.RSAPrivateKey, cert: x509.Certificate, root: x509.Certificate, name: str, password: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name=name.encode(), key=key, cert=cert, cas=[root], encryption_algorithm=_p12_encryption(password)
    )


def _crl(root_key: rsa.RSAPrivateKey, root_cert: x509.Certificate, now: datetime) -> bytes:
    """An empty CRL from the root (nothing is revoked in the demo), valid for 30 days."""
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_cert.subject)
        .last_update(now - _CLOCK_SKEW)
        .next_update(now + _CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)


def create_demo_ca(directory: Path, *, password: str, earlier_roots: bytes = b"") -> tuple[Path, Path]:
    """Create a demo root CA, sealing and TSA certificates and a CRL in ``directory``, replacing any that are there.

    ``earlier_roots`` (PEM) are appended to ``root-ca.pem`` so documents sealed under them stay trusted.
    Returns ``(p12_path, root_pem_path)``.
    """
    check_password(password)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    root_key, root_cert = _root(now)
    signing_key, signing_cert = _issue(
        root_key=root_key,
        root_cert=root_cert,
        common_name=DEMO_SIGNING_CN,
        validity=_SIGNING_VALIDITY,
        key_bits=_RSA_BITS,
        # emailProtection is what poppler/NSS accept for document signers; documentSigning is the RFC 9336 purpose.
        extended_key_usage=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_OID]),
        eku_critical=False,
        now=now,
    )
    tsa_key, tsa_cert = _issue(
        root_key=root_key,
        root_cert=root_cert,
        common_name=DEMO_TSA_CN,
        validity=_TSA_VALIDITY,
        key_bits=_TSA_RSA_BITS,
        extended_key_usage=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
        eku_critical=True,  # RFC 3161 §2.3: the TSA's certificate has exactly this purpose, marked critical
        now=now,
    )
    root_pem = root_cert.public_bytes(serialization.Encoding.PEM) + earlier_roots
    p12_path = directory / P12_NAME
    root_pem_path = directory / ROOT_PEM_NAME
    root_key_pem = root_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )
    write_atomically(directory / ROOT_KEY_NAME, root_key_pem, 0o600)
    write_atomically(directory / CRL_NAME, _crl(root_key, root_cert, now), 0o644)
    write_atomically(directory / TSA_P12_NAME, _p12(tsa_key, tsa_cert, root_cert, DEMO_TSA_CN, password), 0o600)
    write_atomically(root_pem_path, root_pem, 0o644)
    write_atomically(p12_path, _p12(signing_key, signing_cert, root_cert, DEMO_SIGNING_CN, password), 0o600)
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

    Safe to call from several processes at once. Also:

    * refreshes ``ca.crl`` once a day (it is valid for 30 days), so sealing can embed current revocation data;
    * upgrades a CA made before timestamps (no root key, no TSA, no CRL): a new demo CA generation is made and the
      old root is kept in ``root-ca.pem``, so agreements sealed before still verify;
    * restores ``root-ca.pem`` from ``signing.p12`` if only that is there;
    * refuses, with :class:`SigningConfigurationError`, when only ``root-ca.pem`` is there (the key is lost; silently
      replacing a trust root would hide that).
    """
    check_password(password)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    p12_path = directory / P12_NAME
    root_pem_path = directory / ROOT_PEM_NAME
    with _directory_lock(directory):
        have_p12, have_root = p12_path.exists(), root_pem_path.exists()
        if have_p12 and not have_root:
            root = _root_from_p12(p12_path, password)
            write_atomically(root_pem_path, root.public_bytes(serialization.Encoding.PEM), 0o644)
            have_root = True
        if have_root and not have_p12:
            raise SigningConfigurationError(
                f"{root_pem_path} exists but {p12_path} is missing. Remove {root_pem_path} to create a new demo CA "
                "(documents signed with the old one will then no longer verify)."
            )
        if not have_p12:
            return create_demo_ca(directory, password=password)
        if not (directory / ROOT_KEY_NAME).exists() or not (directory / TSA_P12_NAME).exists():
            logger.warning(
                "Upgrading the demo CA in %s to one with a TSA and a CRL; the old root stays trusted", directory
            )
            return create_demo_ca(directory, password=password, earlier_roots=root_pem_path.read_bytes())
        _refresh_crl(directory, password)
        return p12_path, root_pem_path


def _refresh_crl(directory: Path, password: str) -> None:
    crl_path = directory / CRL_NAME
    now = datetime.now(UTC)
    if crl_path.exists():
        with contextlib.suppress(ValueError):
            crl = x509.load_der_x509_crl(crl_path.read_bytes())
            if crl.last_update_utc + _CRL_REFRESH_AFTER > now and crl.next_update_utc and crl.next_update_utc > now:
                return
    try:
        root_key = serialization.load_pem_private_key((directory / ROOT_KEY_NAME).read_bytes(), password.encode())
    except ValueError:
        raise SigningConfigurationError(f"Cannot open {directory / ROOT_KEY_NAME}: wrong password?") from None
    root_cert = x509.load_pem_x509_certificates((directory / ROOT_PEM_NAME).read_bytes())[0]
    if not isinstance(root_key, rsa.RSAPrivateKey):
        raise SigningConfigurationError(f"{directory / ROOT_KEY_NAME} is not an RSA key.")
    write_atomically(crl_path, _crl(root_key, root_cert, now), 0o644)


def _root_from_p12(p12_path: Path, password: str) -> x509.Certificate:
    _key, cert, chain = load_p12(p12_path, password)
    for candidate in chain:
        if candidate.subject == cert.issuer and candidate.subject == candidate.issuer:
            return candidate
    raise SigningConfigurationError(f"{p12_path} holds no self-signed issuer certificate to restore the root from.")


def issue_demo_tsa(directory: Path, password: str, *, p12_path: Path, validity: timedelta = _TSA_VALIDITY) -> Path:
    """Issue a new TSA certificate from the demo root in ``directory`` into ``p12_path`` (rotating the demo TSA).

    The old TSA's timestamps stay valid: its certificate was issued by the same root. Returns ``p12_path``.
    """
    check_password(password)
    directory = Path(directory)
    root_key = serialization.load_pem_private_key((directory / ROOT_KEY_NAME).read_bytes(), password.encode())
    if not isinstance(root_key, rsa.RSAPrivateKey):
        raise SigningConfigurationError(f"{directory / ROOT_KEY_NAME} is not an RSA key.")
    root_cert = x509.load_pem_x509_certificates((directory / ROOT_PEM_NAME).read_bytes())[0]
    tsa_key, tsa_cert = _issue(
        root_key=root_key,
        root_cert=root_cert,
        common_name=DEMO_TSA_CN,
        validity=validity,
        key_bits=_TSA_RSA_BITS,
        extended_key_usage=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
        eku_critical=True,
        now=datetime.now(UTC),
    )
    write_atomically(Path(p12_path), _p12(tsa_key, tsa_cert, root_cert, DEMO_TSA_CN, password), 0o600)
    return Path(p12_path)

"""lib.pades B-LTA: the demo CA's TSA certificate and CRL, the local timestamp authority over HTTP, sealing with
a timestamp and validation data, re-timestamping, and upgrading a demo CA made before timestamps."""

from __future__ import annotations

import io
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader

from lib import pades
from lib.pades import tsa
from lib.pdf import render_markdown_pdf

PASSWORD = "lta-password"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lta-ca")
    pades.create_demo_ca(directory, password=PASSWORD)
    return directory


@pytest.fixture(scope="module")
def tsa_url(ca: Path) -> Iterator[str]:
    server = tsa.serve(ca / pades.TSA_P12_NAME, PASSWORD)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def signer(ca: Path, tsa_url: str) -> pades.PadesSigner:
    return pades.PadesSigner(
        ca / "signing.p12",
        PASSWORD,
        timestamp_url=tsa_url,
        trust_roots=[(ca / "root-ca.pem").read_bytes()],
        crls=[(ca / pades.CRL_NAME).read_bytes()],
    )


@pytest.fixture(scope="module")
def document() -> bytes:
    return render_markdown_pdf(title="Avtale", sections=[("1. Del", "Tekst med æøå.")], footer="test")


def test_the_tsa_certificate_is_for_timestamping_only_and_issued_by_the_root(ca: Path) -> None:
    _key, cert, chain = pkcs12.load_key_and_certificates((ca / pades.TSA_P12_NAME).read_bytes(), PASSWORD.encode())
    assert cert is not None
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.issuer == chain[0].subject
    assert cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)


def test_the_ca_publishes_a_current_crl_signed_by_the_root(ca: Path) -> None:
    crl = x509.load_der_x509_crl((ca / pades.CRL_NAME).read_bytes())
    root = x509.load_pem_x509_certificates((ca / "root-ca.pem").read_bytes())[0]
    assert crl.is_signature_valid(root.public_key())
    assert len(list(crl)) == 0
    assert (ca / "root-ca.key").stat().st_mode & 0o777 == 0o600


def _post(url: str, body: bytes, content_type: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(  # noqa: S310 – our loopback server
        url, data=body, headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 – our loopback server
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_the_local_tsa_rejects_garbage_with_an_rfc_3161_rejection(tsa_url: str) -> None:
    status, content_type, body = _post(tsa_url, b"not a request", tsa.QUERY_TYPE)
    assert (status, content_type) == (200, tsa.REPLY_TYPE)
    assert body[0] == 0x30 and body[1] == len(body) - 2  # TimeStampResp ::= SEQUENCE { status PKIStatusInfo }
    assert tsp.PKIStatusInfo.load(body[2:])["status"].native == "rejection"


def test_the_local_tsa_wants_a_timestamp_query(tsa_url: str) -> None:
    status, _content_type, _body = _post(tsa_url, b"{}", "application/json")
    assert status == 400


def test_a_b_lta_seal_verifies_with_its_timestamp_authority(
    signer: pades.PadesSigner, ca: Path, document: bytes
) -> None:
    sealed = signer.sign(document, reason="test")
    result = pades.verify(sealed, trust_roots=[(ca / "root-ca.pem").read_bytes()])

    assert result.ok, result.detail
    assert (result.level, len(result.archive_timestamps)) == ("B-LTA", 1)
    assert pades.DEMO_TSA_CN in result.timestamp_authority
    assert sealed.startswith(document)


def test_without_a_tsa_the_seal_is_b_b(ca: Path, document: bytes) -> None:
    sealed = pades.PadesSigner(ca / "signing.p12", PASSWORD).sign(document, reason="test")
    result = pades.verify(sealed, trust_roots=[(ca / "root-ca.pem").read_bytes()])
    assert result.ok and result.level == "B-B" and result.timestamp_authority == ""


def test_sealing_fails_rather_than_seal_without_revocation_data(ca: Path, tsa_url: str, document: bytes) -> None:
    no_crl = pades.PadesSigner(ca / "signing.p12", PASSWORD, timestamp_url=tsa_url)
    with pytest.raises(Exception):  # noqa: B017 – pyHanko's validation error, whichever it raises
        no_crl.sign(document, reason="test")


def test_sealing_fails_when_the_tsa_is_unreachable(ca: Path, document: bytes) -> None:
    unreachable = pades.PadesSigner(
        ca / "signing.p12",
        PASSWORD,
        timestamp_url="http://127.0.0.1:9/",
        crls=[(ca / pades.CRL_NAME).read_bytes()],
    )
    with pytest.raises(Exception):  # noqa: B017 – the transport's error
        unreachable.sign(document, reason="test")


def test_an_archive_timestamp_is_appended(signer: pades.PadesSigner, ca: Path, document: bytes) -> None:
    sealed = signer.sign(document, reason="test")
    renewed = signer.add_archive_timestamp(sealed)

    result = pades.verify(renewed, trust_roots=[(ca / "root-ca.pem").read_bytes()])
    assert result.ok, result.detail
    assert len(result.archive_timestamps) == 2
    assert renewed.startswith(sealed)
    assert len(PdfFileReader(io.BytesIO(renewed)).embedded_timestamp_signatures) == 2


def test_a_demo_ca_from_before_timestamps_is_upgraded_and_its_old_seals_stay_trusted(
    tmp_path: Path, document: bytes
) -> None:
    pades.create_demo_ca(tmp_path, password=PASSWORD)
    for name in ("root-ca.key", pades.TSA_P12_NAME, pades.CRL_NAME):  # what a CA made before looked like
        (tmp_path / name).unlink()
    (tmp_path / ".demo-ca.lock").touch()
    old_root = (tmp_path / "root-ca.pem").read_bytes()
    old_seal = pades.PadesSigner(tmp_path / "signing.p12", PASSWORD).sign(document, reason="old")

    pades.ensure_demo_ca(tmp_path, PASSWORD)

    bundle = (tmp_path / "root-ca.pem").read_bytes()
    assert bundle.endswith(old_root) and bundle != old_root
    assert (tmp_path / pades.TSA_P12_NAME).exists() and (tmp_path / pades.CRL_NAME).exists()
    assert pades.verify(old_seal, trust_roots=[bundle]).ok


def test_ensure_demo_ca_keeps_a_current_ca_as_it_is(ca: Path) -> None:
    before = {name: (ca / name).read_bytes() for name in ("signing.p12", "root-ca.pem", pades.TSA_P12_NAME)}
    pades.ensure_demo_ca(ca, PASSWORD)
    assert before == {name: (ca / name).read_bytes() for name in before}

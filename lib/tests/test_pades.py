"""lib.pades: demo CA, signing and verification, cross-checked with poppler's pdfsig where it can judge."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import random
import re
import shutil
import stat
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from lib.pades import (
    DEMO_ROOT_CN,
    DEMO_SIGNING_CN,
    REASONS,
    PadesSigner,
    SigningConfigurationError,
    VerificationResult,
    create_demo_ca,
    ensure_demo_ca,
    verify,
)
from lib.pdf import render_markdown_pdf

PASSWORD = "test-signing-password"
SUBJECT = f"CN={DEMO_SIGNING_CN},O=Norsk helsenett SF (demo),C=NO"
NEEDS_PDFSIG = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")


@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory) -> tuple[Path, Path]:
    return create_demo_ca(tmp_path_factory.mktemp("demo-ca"), password=PASSWORD)


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory) -> tuple[Path, Path]:
    return create_demo_ca(tmp_path_factory.mktemp("other-ca"), password="other-password")


@pytest.fixture(scope="session")
def signer(demo_ca) -> PadesSigner:
    return PadesSigner(demo_ca[0], PASSWORD)


@pytest.fixture(scope="session")
def trust_roots(demo_ca) -> list[bytes]:
    return [demo_ca[1].read_bytes()]


def _document(*, three_pages: bool = False) -> bytes:
    """A one-page document, or a three-page one: two pages of sections and a signature page."""
    repeat = 50 if three_pages else 5
    sections = [(f"{n}. Del", "Tekst med æøå og Kárášjohka. " * repeat) for n in (1, 2, 3)]
    return render_markdown_pdf(
        title="Medlemsavtale",
        sections=sections,
        signature_page=[("Signert av", "Kari Nordmann"), ("Tidspunkt", "2026-01-01 12:00")] if three_pages else None,
        signature_page_title="Signaturside",
        footer="Medlemsavtale – test",
    )


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    return _document()


@pytest.fixture(scope="session")
def signed_pdf(signer, unsigned_pdf) -> bytes:
    return signer.sign(unsigned_pdf, reason="Signert medlemsavtale")


# --------------------------------------------------------------------------------------------------------------------
# Demo CA


def test_demo_ca_files_and_modes(demo_ca):
    p12_path, root_path = demo_ca
    assert p12_path.name == "signing.p12" and root_path.name == "root-ca.pem"
    assert stat.S_IMODE(p12_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root_path.stat().st_mode) == 0o644


def test_demo_ca_certificates(demo_ca):
    p12_path, root_path = demo_ca
    root_pem = root_path.read_bytes()
    assert root_pem.count(b"BEGIN CERTIFICATE") == 1 and b"PRIVATE KEY" not in root_pem
    root = x509.load_pem_x509_certificate(root_pem)
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == DEMO_ROOT_CN
    assert root.issuer == root.subject
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    root_usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert root_usage.key_cert_sign and root_usage.crl_sign and not root_usage.digital_signature
    assert root.public_key().key_size == 3072
    assert timedelta(days=3640) < root.not_valid_after_utc - root.not_valid_before_utc < timedelta(days=3660)

    key, cert, chain = pkcs12.load_key_and_certificates(p12_path.read_bytes(), PASSWORD.encode())
    assert key is not None and key.key_size == 3072
    assert cert.subject.rfc4514_string() == SUBJECT
    assert cert.issuer == root.subject
    assert [c.fingerprint(c.signature_hash_algorithm) for c in chain] == [
        root.fingerprint(root.signature_hash_algorithm)
    ]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert timedelta(days=1090) < cert.not_valid_after_utc - cert.not_valid_before_utc < timedelta(days=1100)


def test_ensure_demo_ca_creates_once(tmp_path):
    first = ensure_demo_ca(tmp_path / "ca", PASSWORD)
    contents = [path.read_bytes() for path in first]
    second = ensure_demo_ca(tmp_path / "ca", PASSWORD)
    assert second == first
    assert [path.read_bytes() for path in second] == contents


def test_ensure_demo_ca_restores_missing_root_from_p12(tmp_path):
    _p12_path, root_path = ensure_demo_ca(tmp_path, PASSWORD)
    original = root_path.read_bytes()
    root_path.unlink()
    ensure_demo_ca(tmp_path, PASSWORD)
    assert root_path.read_bytes() == original
    assert stat.S_IMODE(root_path.stat().st_mode) == 0o644


def test_ensure_demo_ca_refuses_to_replace_a_root_without_its_key(tmp_path):
    p12_path, _root_path = ensure_demo_ca(tmp_path, PASSWORD)
    p12_path.unlink()
    with pytest.raises(SigningConfigurationError, match=r"signing\.p12 is missing"):
        ensure_demo_ca(tmp_path, PASSWORD)


def test_empty_password_is_refused(tmp_path):
    with pytest.raises(SigningConfigurationError, match="password"):
        create_demo_ca(tmp_path, password="")


# --------------------------------------------------------------------------------------------------------------------
# Signer configuration


def test_wrong_password(demo_ca):
    with pytest.raises(SigningConfigurationError, match="wrong password"):
        PadesSigner(demo_ca[0], "not-the-password")


def test_missing_file(tmp_path):
    with pytest.raises(SigningConfigurationError, match="does not exist"):
        PadesSigner(tmp_path / "nope.p12", PASSWORD)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(SigningConfigurationError, match="directory"):
        PadesSigner(tmp_path, PASSWORD)


@pytest.mark.parametrize("content", [b"", b"not a pkcs12 file", b"-----BEGIN CERTIFICATE-----\nAAAA\n"])
def test_not_a_pkcs12_file(tmp_path, content):
    path = tmp_path / "bad.p12"
    path.write_bytes(content)
    with pytest.raises(SigningConfigurationError, match="not a PKCS#12"):
        PadesSigner(path, PASSWORD)


def test_pem_certificate_is_not_a_pkcs12(demo_ca):
    with pytest.raises(SigningConfigurationError, match="not a PKCS#12"):
        PadesSigner(demo_ca[1], PASSWORD)


def test_signer_exposes_subject(signer):
    assert signer.subject == SUBJECT
    assert signer.timestamp_url is None


def test_signing_something_that_is_not_a_pdf(signer):
    with pytest.raises(ValueError, match="not a readable PDF"):
        signer.sign(b"hello", reason="x")


# --------------------------------------------------------------------------------------------------------------------
# Good signatures


def test_signed_pdf_verifies(signed_pdf, trust_roots):
    result = verify(signed_pdf, trust_roots=trust_roots)
    assert isinstance(result, VerificationResult)
    assert (result.ok, result.reason) == (True, "ok"), result.detail
    assert result.signer_subject == SUBJECT
    assert result.signed_at is not None
    assert abs(datetime.now(UTC) - result.signed_at) < timedelta(minutes=5)
    assert len(result.sha256) == 64


def test_result_is_frozen(signed_pdf, trust_roots):
    result = verify(signed_pdf, trust_roots=trust_roots)
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]


def test_trust_root_may_be_der(signed_pdf, demo_ca):
    der = x509.load_pem_x509_certificate(demo_ca[1].read_bytes()).public_bytes(serialization.Encoding.DER)
    assert verify(signed_pdf, trust_roots=[der]).ok


def test_signed_pdf_keeps_the_original_as_first_revision(signed_pdf, unsigned_pdf):
    assert signed_pdf.startswith(unsigned_pdf)


def test_certificate_chain_is_embedded(signed_pdf, demo_ca):
    reader = PdfFileReader(io.BytesIO(signed_pdf), strict=False)
    (embedded,) = reader.embedded_regular_signatures
    embedded_subjects = {cert.chosen.subject.native["common_name"] for cert in embedded.signed_data["certificates"]}
    assert embedded_subjects == {DEMO_SIGNING_CN, DEMO_ROOT_CN}
    assert embedded.field_name == "Medlemsportal"
    assert embedded.sig_object["/Reason"] == "Signert medlemsavtale"
    assert embedded.sig_object["/Location"] == "Norway"
    assert embedded.signer_info["digest_algorithm"]["algorithm"].native == "sha256"


def test_every_reason_is_known(signed_pdf, unsigned_pdf, trust_roots):
    for data in (signed_pdf, unsigned_pdf, b"", b"%PDF-1.4 junk"):
        assert verify(data, trust_roots=trust_roots).reason in REASONS


def test_pdf_signature_dictionary_is_pades(signed_pdf):
    assert b"/ETSI.CAdES.detached" in signed_pdf
    assert b"/Signert medlemsavtale" in signed_pdf or b"(Signert medlemsavtale)" in signed_pdf


@NEEDS_PDFSIG
def test_pdfsig_accepts_the_signature(tmp_path, signed_pdf):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    # pdfsig checks the certificate against NSS's own trust store, where our demo root is not; -nocert skips only
    # that part. Without it pdfsig says "Certificate issuer isn't Trusted." but still "Signature is Valid.".
    out = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    assert f"Signer Certificate Common Name: {DEMO_SIGNING_CN}" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Signing Hash Algorithm: SHA-256" in out


@NEEDS_PDFSIG
def test_pdfsig_sees_tampering(tmp_path, signed_pdf):
    path = tmp_path / "tampered.pdf"
    path.write_bytes(_flip_byte_in_signed_range(signed_pdf))
    out = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." not in out


def test_verify_works_inside_a_running_event_loop(signed_pdf, trust_roots, signer, unsigned_pdf):
    async def main():
        return verify(signed_pdf, trust_roots=trust_roots), signer.sign(unsigned_pdf, reason="async")

    result, signed_again = asyncio.run(main())
    assert result.ok
    assert verify(signed_again, trust_roots=trust_roots).ok


@NEEDS_PDFSIG  # pdfinfo comes with pdfsig in poppler-utils
def test_render_and_sign_time(signer, trust_roots):
    """Render + sign a 3-page document 10 times; print the average (the number is reported, not asserted tightly)."""
    runs = 10
    signed = b""
    started = time.perf_counter()
    for _ in range(runs):
        pdf = _document(three_pages=True)
        signed = signer.sign(pdf, reason="Ytelsesmåling")
    average = (time.perf_counter() - started) / runs
    info = subprocess.run(["pdfinfo", "-"], input=signed, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Pages:\s+3$", info, flags=re.MULTILINE), info
    assert verify(signed, trust_roots=trust_roots).ok
    print(f"\nrender+sign of a 3-page document: {average * 1000:.0f} ms on average over {runs} runs")
    assert average < 5


# --------------------------------------------------------------------------------------------------------------------
# Bad documents: never an exception, always a reason


def _signed_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match
    a, b, c, d = (int(group) for group in match.groups())
    return a, b, c, d


def _flip_byte_in_signed_range(pdf: bytes) -> bytes:
    """Change one letter of the producer string, inside the first signed range, so the PDF still parses."""
    start, length, _c, _d = _signed_range(pdf)
    index = pdf.index(b"ReportLab")
    assert start <= index < start + length
    data = bytearray(pdf)
    data[index] = ord("X")
    return bytes(data)


def test_one_byte_changed_inside_signed_range(signed_pdf, trust_roots):
    result = verify(_flip_byte_in_signed_range(signed_pdf), trust_roots=trust_roots)
    assert result.ok is False
    assert result.reason in ("modified", "invalid")
    assert result.reason == "modified"


def test_one_byte_changed_in_page_content(signed_pdf, trust_roots):
    start, length, _c, _d = _signed_range(signed_pdf)
    index = signed_pdf.index(b"stream", 2000) + 20  # inside a (compressed) content or font stream
    assert start <= index < start + length
    data = bytearray(signed_pdf)
    data[index] ^= 0x01
    result = verify(bytes(data), trust_roots=trust_roots)
    assert result.ok is False and result.reason in ("modified", "invalid", "unreadable")


def test_signature_value_changed(signed_pdf, trust_roots):
    _a, b, c, _d = _signed_range(signed_pdf)
    # The hex-encoded CMS sits between the ranges; change a digit near its end (inside the RSA signature value).
    end = len(signed_pdf[b:c].rstrip(b"0>"))
    data = bytearray(signed_pdf)
    position = b + end - 10
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    result = verify(bytes(data), trust_roots=trust_roots)
    assert result.ok is False and result.reason in ("invalid", "modified")


@pytest.mark.parametrize("replacement", [b"1", b"F", b" ", b"z"])
def test_signature_padding_changed(signed_pdf, trust_roots, replacement):
    """The zero padding after the CMS is outside the signed ranges; changing it must still be caught."""
    _a, b, c, _d = _signed_range(signed_pdf)
    end = len(signed_pdf[b:c].rstrip(b"0>"))
    data = bytearray(signed_pdf)
    data[b + end + 100] = replacement[0]
    result = verify(bytes(data), trust_roots=trust_roots)
    assert result.ok is False and result.reason in ("modified", "unreadable", "invalid"), result.detail


def test_signature_hex_case_changed(signed_pdf, trust_roots):
    _a, b, c, _d = _signed_range(signed_pdf)
    hole = signed_pdf[b:c]
    position = next(i for i, byte in enumerate(hole) if chr(byte) in "ABCDEFabcdef")
    data = bytearray(signed_pdf)
    data[b + position] = ord(chr(hole[position]).swapcase())
    result = verify(bytes(data), trust_roots=trust_roots)
    assert (result.ok, result.reason) == (False, "modified"), result.detail


def _append_update(signed_pdf: bytes, change: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf), strict=False)
    if change == "info":
        info = generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Endret tittel")})
        writer.set_info(writer.add_object(info))
    elif change == "annotation":
        page = writer.root["/Pages"]["/Kids"][0]
        annotation = writer.add_object(
            generic.DictionaryObject(
                {
                    generic.NameObject("/Type"): generic.NameObject("/Annot"),
                    generic.NameObject("/Subtype"): generic.NameObject("/Text"),
                    generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 10, 10)]),
                    generic.NameObject("/Contents"): generic.TextStringObject(""),
                }
            )
        )
        page.get_object()[generic.NameObject("/Annots")] = generic.ArrayObject([annotation])
        writer.update_container(page)
    else:
        writer.root[generic.NameObject("/PageMode")] = generic.NameObject("/UseOutlines")
        writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


@pytest.mark.parametrize("change", ["info", "annotation", "root"])
def test_incremental_update_after_signing(signed_pdf, trust_roots, change):
    updated = _append_update(signed_pdf, change)
    assert updated.startswith(signed_pdf) and len(updated) > len(signed_pdf)
    result = verify(updated, trust_roots=trust_roots)
    assert result.ok is False
    assert result.reason in ("not_entire_file", "modified")
    assert result.signer_subject == SUBJECT  # what the file claims, for the log


def test_bytes_appended_after_signing(signed_pdf, trust_roots):
    result = verify(signed_pdf + b"\n% trailing junk\n", trust_roots=trust_roots)
    assert result.ok is False and result.reason in ("not_entire_file", "unreadable")


def test_signed_by_another_ca(other_ca, unsigned_pdf, trust_roots):
    other_signed = PadesSigner(other_ca[0], "other-password").sign(unsigned_pdf, reason="Falsk")
    result = verify(other_signed, trust_roots=trust_roots)
    assert (result.ok, result.reason) == (False, "untrusted")
    # ...and it is valid against its own root, so the signature itself is fine.
    assert verify(other_signed, trust_roots=[other_ca[1].read_bytes()]).ok


def test_no_trust_roots_trusts_nothing(signed_pdf):
    result = verify(signed_pdf, trust_roots=[])
    assert (result.ok, result.reason) == (False, "untrusted")


def test_two_signatures(signer, signed_pdf, trust_roots):
    twice = signer.sign(signed_pdf, reason="Igjen", field_name="Medlemsportal2")
    result = verify(twice, trust_roots=trust_roots)
    assert (result.ok, result.reason) == (False, "several_signatures")


def test_unsigned_pdf(unsigned_pdf, trust_roots):
    result = verify(unsigned_pdf, trust_roots=trust_roots)
    assert (result.ok, result.reason) == (False, "no_signature")


@pytest.mark.parametrize(
    ("data", "reasons"),
    [
        (b"", {"not_pdf"}),
        (os.urandom(4096), {"not_pdf"}),
        (b"%PDF-1.7\n" + os.urandom(4096), {"unreadable"}),
        (b"%PDF-1.4\n%%EOF\n", {"unreadable"}),
        (b"<html><body>not a pdf</body></html>", {"not_pdf"}),
    ],
    ids=["empty", "random", "pdf-header-then-random", "header-and-eof-only", "html"],
)
def test_garbage(data, reasons, trust_roots):
    result = verify(data, trust_roots=trust_roots)
    assert result.ok is False
    assert result.reason in reasons, result.detail


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_signed_pdf(signed_pdf, trust_roots, fraction):
    result = verify(signed_pdf[: int(len(signed_pdf) * fraction)], trust_roots=trust_roots)
    assert result.ok is False
    assert result.reason in ("unreadable", "not_entire_file", "modified", "invalid"), result.detail


def test_fuzzed_signed_pdfs_never_raise(signed_pdf, trust_roots):
    """Random byte changes anywhere: verify() must answer, and never say ok."""
    rng = random.Random(20260101)
    for _ in range(60):
        data = bytearray(signed_pdf)
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if bytes(data) == signed_pdf:
            continue
        result = verify(bytes(data), trust_roots=trust_roots)
        assert result.reason != "ok"


def test_sha256_is_of_the_whole_input(signed_pdf, trust_roots):
    assert verify(signed_pdf, trust_roots=trust_roots).sha256 == hashlib.sha256(signed_pdf).hexdigest()
    assert verify(b"junk", trust_roots=trust_roots).sha256 == hashlib.sha256(b"junk").hexdigest()


def test_bad_trust_root_is_a_configuration_error(signed_pdf):
    with pytest.raises(SigningConfigurationError, match="Trust root #0"):
        verify(signed_pdf, trust_roots=[b"not a certificate"])

"""Key material for sealing: reading PKCS#12 files, a fast RSA signer, atomic writes, and pyHanko's event loop.

pyHanko's synchronous entry points run ``asyncio.run`` inside; called from a thread that already runs an event loop
they would fail, so :func:`run_outside_event_loop` moves such calls to a worker thread.
"""

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

T = TypeVar("T")


class SigningConfigurationError(Exception):
    """The signing key material or trust configuration is missing, unreadable or unusable."""


def write_atomically(path: Path, data: bytes, mode: int) -> None:
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


def check_password(password: str) -> None:
    if not isinstance(password, str) or not password:
        raise SigningConfigurationError("The PKCS#12 password must be a non-empty string.")


def load_p12(p12_path: Path, password: str) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
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


def run_outside_event_loop(function: Callable[[], T]) -> T:
    """Call ``function`` here, or in a worker thread if this thread runs an event loop (pyHanko uses asyncio.run)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pades") as pool:
        return pool.submit(function).result()


class LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, but signing with the already loaded key.

    SimpleSigner.sign_raw re-parses the private key from DER on every call (twice per PDF: a dry run to size the
    signature, then the real one), and cryptography's RSA key-consistency check makes each parse cost ~140 ms for a
    3072-bit key, which is most of the signing time. For RSA PKCS#1 v1.5 (what pyHanko picks for an RSA key) sign
    with the key loaded once; anything else goes through pyHanko unchanged.
    """

    def __init__(self, *, private_key: object, **kwargs: Any) -> None:
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

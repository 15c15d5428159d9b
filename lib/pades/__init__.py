"""PAdES seals on PDFs with pyHanko: the demo CA, the sealer, a local timestamp authority and the verifier.

* :mod:`lib.pades.ca` – :func:`create_demo_ca` / :func:`ensure_demo_ca`: a demo root CA, a document-sealing
  certificate, a TSA certificate and a CRL. For development and tests only.
* :mod:`lib.pades.signer` – :class:`PadesSigner`: seals PDFs as PAdES baseline B-LTA (or B-B without a TSA);
  :func:`add_archive_timestamp` renews the archive timestamp chain.
* :mod:`lib.pades.tsa` – a local RFC 3161 timestamp authority over HTTP (development and tests).
* :mod:`lib.pades.verify` – :func:`verify`: one intact, trusted seal, judged at the time its timestamp proves.
* :mod:`lib.pades.keys` – PKCS#12 loading and the helpers the others share.
"""

from lib.pades.ca import (
    CRL_NAME,
    DEMO_ROOT_CN,
    DEMO_SIGNING_CN,
    DEMO_TSA_CN,
    TSA_P12_NAME,
    create_demo_ca,
    ensure_demo_ca,
    issue_demo_tsa,
)
from lib.pades.keys import SigningConfigurationError
from lib.pades.signer import PadesSigner, add_archive_timestamp, load_trust_roots, validation_context
from lib.pades.verify import REASONS, VerificationResult, verify

__all__ = [
    "CRL_NAME",
    "DEMO_ROOT_CN",
    "DEMO_SIGNING_CN",
    "DEMO_TSA_CN",
    "REASONS",
    "TSA_P12_NAME",
    "PadesSigner",
    "SigningConfigurationError",
    "VerificationResult",
    "add_archive_timestamp",
    "create_demo_ca",
    "ensure_demo_ca",
    "issue_demo_tsa",
    "load_trust_roots",
    "validation_context",
    "verify",
]

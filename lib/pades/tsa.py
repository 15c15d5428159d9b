"""A local RFC 3161 timestamp authority over HTTP, for development and tests (never production).

The responses are made by pyHanko's own test TSA (:class:`pyhanko.sign.timestamps.dummy_client.DummyTimeStamper`)
with a key and certificate issued by the demo CA (``tsa.p12``, see :mod:`lib.pades.ca`); this module puts it behind
a small ``http.server`` on loopback, speaking the RFC 3161 HTTP transport (POST ``application/timestamp-query``,
answer ``application/timestamp-reply``), so the portal reaches it exactly as it would reach a real TSA.

Run it as ``python -m lib.pades.tsa --p12 var/signing/tsa.p12 --port 8010`` (the password from
``SIGNING_PKCS12_PASSWORD``); it prints ``listening on http://127.0.0.1:PORT/`` once ready (``--port 0``: a free
port chosen by the OS). ``make run`` starts it through ``manage.py run_timestamp_authority``; the test suite starts
it as a session fixture.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import tsp
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from lib.pades.keys import load_p12

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"


def timestamper_from_p12(p12_path: Path, password: str) -> DummyTimeStamper:
    key, cert, chain = load_p12(p12_path, password)
    return DummyTimeStamper(
        tsa_cert=translate_pyca_cryptography_cert_to_asn1(cert),
        tsa_key=translate_pyca_cryptography_key_to_asn1(key),
        certs_to_embed=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]  # pyhanko-certvalidator leaves it unannotated
            [translate_pyca_cryptography_cert_to_asn1(extra) for extra in chain]
        ),
    )


def _rejection(failure: str) -> bytes:
    """A TimeStampResp with only a rejecting status (asn1crypto insists on a token, so the SEQUENCE is made here)."""
    status: bytes = tsp.PKIStatusInfo({"status": "rejection", "fail_info": tsp.PKIFailureInfo({failure})}).dump()
    return b"\x30" + bytes([len(status)]) + status  # a status info is far shorter than 128 bytes


class _Handler(BaseHTTPRequestHandler):
    server: TimestampServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # http.server's name
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if self.headers.get_content_type() != QUERY_TYPE or not 0 < length <= MAX_REQUEST_BYTES:
            self._reply(400, b"An RFC 3161 timestamp query (application/timestamp-query) is expected.\n", "text/plain")
            return
        body = self.rfile.read(length)
        try:
            request = tsp.TimeStampReq.load(body, strict=True)
            request.native  # noqa: B018 – parse it all now, so bad input is rejected here
        except (ValueError, TypeError, KeyError):
            self._reply(200, _rejection("bad_data_format"), REPLY_TYPE)
            return
        response = asyncio.run(self.server.timestamper.async_request_tsa_response(request))
        self._reply(200, response.dump(), REPLY_TYPE)

    def do_GET(self) -> None:  # http.server's name
        self._reply(405, b"POST an RFC 3161 timestamp query.\n", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("TSA %s", format % args)


class TimestampServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], timestamper: DummyTimeStamper) -> None:
        super().__init__(address, _Handler)
        self.timestamper = timestamper

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def serve(p12_path: Path, password: str, *, host: str = "127.0.0.1", port: int = 0) -> TimestampServer:
    """A bound (not yet serving) local TSA; call ``serve_forever()`` on it, ``shutdown()`` to stop."""
    return TimestampServer((host, port), timestamper_from_p12(p12_path, password))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A local RFC 3161 timestamp authority (development and tests only).")
    parser.add_argument("--p12", type=Path, required=True, help="the TSA's PKCS#12 file (tsa.p12 of the demo CA)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port chosen by the OS")
    args = parser.parse_args(argv)
    password = os.environ.get("SIGNING_PKCS12_PASSWORD", "")
    server = serve(args.p12, password, host=args.host, port=args.port)
    print(f"listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Test support: the local OpenID Provider (devtools/oidc/provider.mjs) on loopback, and a driver for it.

Only tests import this module. The provider runs with OIDC_DEV_TAMPERING=1, so a test can have it
rewrite the next ID token (wrong aud, alg=none, ...) and prove the portal's library refuses it.
"""

from __future__ import annotations

import html
import json
import re
import select
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "devtools" / "oidc" / "provider.mjs"
PERSONAS = json.loads((REPO_ROOT / "devtools" / "oidc" / "personas.json").read_text(encoding="utf-8"))
IDPORTEN_CLIENT_ID = "medlemsportal-test"
IDPORTEN_CLIENT_SECRET = "test-only-secret"  # noqa: S105 - the local test provider's client
HELSEID_CLIENT_ID = "medlemsportal-helseid-test"


def persona(key: str) -> dict[str, str]:
    return next(p for p in PERSONAS if p["sub"] == f"dev-{key}")


@dataclass
class DevProvider:
    idporten: str
    helseid: str
    helseid_key: Path

    def tamper(self, issuer: str, mode: str) -> None:
        """Have the provider rewrite the next ID token it issues (tests only)."""
        requests.post(f"{issuer}/__test__/tamper", data={"mode": mode}, timeout=5).raise_for_status()

    def settings(self) -> dict[str, object]:
        return {
            "IDPORTEN_ISSUER": self.idporten,
            "IDPORTEN_CLIENT_ID": IDPORTEN_CLIENT_ID,
            "IDPORTEN_CLIENT_SECRET": IDPORTEN_CLIENT_SECRET,
            "IDPORTEN_PRIVATE_KEY_PATH": "",
            "HELSEID_ISSUER": self.helseid,
            "HELSEID_CLIENT_ID": HELSEID_CLIENT_ID,
            "HELSEID_PRIVATE_KEY_PATH": str(self.helseid_key),
        }


def start_dev_provider(key_dir: Path) -> tuple[subprocess.Popen[bytes], DevProvider]:
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The local OpenID Provider needs Node.js and `npm ci` (make node-deps).")
    key = key_dir / "helseid-client-key.pem"
    env = {
        "PATH": str(Path(node).parent),
        "OIDC_DEV_TAMPERING": "1",
        "OIDC_DEV_HELSEID_KEY": str(key),
        "OIDC_DEV_IDPORTEN_CLIENT_ID": IDPORTEN_CLIENT_ID,
        "OIDC_DEV_IDPORTEN_CLIENT_SECRET": IDPORTEN_CLIENT_SECRET,
        "OIDC_DEV_HELSEID_CLIENT_ID": HELSEID_CLIENT_ID,
    }
    process = subprocess.Popen(  # noqa: S603 - a fixed script of this repository
        [node, str(SCRIPT), "--host", "127.0.0.1", "--idporten-port", "0", "--helseid-port", "0"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else b""
    if not line:
        process.kill()
        pytest.fail("The local OpenID Provider did not start within 30 s.")
    issuers = json.loads(line)
    return process, DevProvider(idporten=issuers["idporten"], helseid=issuers["helseid"], helseid_key=key)


@pytest.fixture(scope="session", name="oidc_dev_provider")
def oidc_dev_provider_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProvider]:
    process, provider = start_dev_provider(tmp_path_factory.mktemp("oidc"))
    yield provider
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(name="oidc_providers")
def oidc_providers_fixture(settings: object, oidc_dev_provider: DevProvider) -> DevProvider:
    """Both providers offered by the portal, pointing at the local provider."""
    for name, value in oidc_dev_provider.settings().items():
        setattr(settings, name, value)
    return oidc_dev_provider


def handoff_url(response: Any) -> str:
    """Where the portal's hand-off page (accounts/oidc/handoff.html) sends the browser."""
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', response.content.decode())
    assert match, response.content.decode()[:500]
    return html.unescape(match.group(1))


_FORM = re.compile(r'action="(/interaction/[^"]+/login)"')
_SELECTED = re.compile(r'<option value="([^"]+)" selected>')


def drive(
    url: str,
    *,
    portal: str = "http://testserver",
    who: str = "kari",
    acr: str | None = None,
    cancel: bool = False,
    session: requests.Session | None = None,
) -> str:
    """Act as the person's browser at the provider: follow redirects, pick the persona, return the
    URL the provider sends the browser back to at the portal."""
    session = session or requests.Session()
    for _ in range(20):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if url.startswith(portal):
                return url
            continue
        match = _FORM.search(response.text)
        if match is None:
            raise AssertionError(f"unexpected page at the provider: {response.status_code} {response.text[:300]}")
        selected = _SELECTED.search(response.text)
        chosen = acr or (selected.group(1) if selected else "")
        response = session.post(
            urljoin(url, match.group(1)),
            data={"sub": f"dev-{who}", "acr": chosen, "action": "cancel" if cancel else "login"},
            allow_redirects=False,
            timeout=10,
        )
        url = urljoin(url, response.headers["location"])
        if url.startswith(portal):
            return url
    raise AssertionError("too many redirects at the provider")

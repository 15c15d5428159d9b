"""A small client for Enhetsregisteret's open API (data.brreg.no/enhetsregisteret/api).

* The media type version is pinned in Accept; an answer in another version is logged as a warning
  (brreg versions its API through the Accept header).
* Time-outs on every request, retries with exponential back-off on 429 and 5xx (urllib3 Retry).
* A User-Agent that names the portal.
* Redirects are not followed and no URL is taken from the data: every URL is built from the
  configured base and a validated organisation number, so a link in a response can never send the
  portal to another host.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from enhetsregisteret.records import valid_org_number

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://data.brreg.no/enhetsregisteret/api"
ACCEPT_UNIT = "application/vnd.brreg.enhetsregisteret.enhet.v2+json;charset=UTF-8"
ACCEPT_FEED = "application/vnd.brreg.enhetsregisteret.oppdatering.enhet.v1+json;charset=UTF-8"
ACCEPT_ROLES = "application/vnd.brreg.enhetsregisteret.rolle.v1+json;charset=UTF-8"
# The roles update feed answers in CloudEvents (one event per organisation whose roles changed).
ACCEPT_ROLES_FEED = "application/vnd.brreg.enhetsregisteret.oppdatering.rolle.v1+json;charset=UTF-8"
USER_AGENT = "Medlemsportal/1.0 (Norsk helsenett; medlemsportal@nhn.no)"
TIMEOUT = (5, 30)  # connect, read (seconds)
_VERSION = re.compile(r"vnd\.brreg\.enhetsregisteret\.([a-z.]+)\.v(\d+)")


class RegisterError(Exception):
    """The register could not be read; the message says why."""


class RemovedUnit(RegisterError):
    """The unit is gone from the register (404/410): removed for legal reasons."""


def base_url() -> str:
    return (str(settings.ENHETSREGISTERET_URL) or DEFAULT_URL).rstrip("/")


class Client:
    def __init__(self, base: str | None = None, *, retries: int = 4, backoff: float = 0.5) -> None:
        self.base = (base or base_url()).rstrip("/")
        parts = urlsplit(self.base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegisterError(f"ENHETSREGISTERET_URL is not an http(s) URL: {self.base!r}")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.version_warnings: list[str] = []

    def _get(self, path: str, accept: str, params: dict[str, Any] | None = None) -> requests.Response:
        url = f"{self.base}{path}"
        try:
            response = self.session.get(
                url, params=params, headers={"Accept": accept}, timeout=TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise RegisterError(f"GET {path}: {exc.__class__.__name__}: {exc}") from None
        if 300 <= response.status_code < 400:
            raise RegisterError(f"GET {path}: redirect to {response.headers.get('Location', '?')} not followed")
        self._check_version(path, accept, response.headers.get("Content-Type", ""))
        return response

    def _check_version(self, path: str, accept: str, content_type: str) -> None:
        wanted, got = _VERSION.search(accept), _VERSION.search(content_type)
        if wanted and got and wanted.groups() != got.groups():
            message = f"GET {path}: asked for {wanted.group(0)}, the register answered {got.group(0)}"
            logger.warning(message)
            self.version_warnings.append(message)

    @staticmethod
    def _json(response: requests.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise RegisterError(f"GET {path}: the answer is not JSON") from None

    def unit(self, org_number: str) -> dict[str, Any]:
        """The main unit's record (a deleted unit's reduced body too). Raises RemovedUnit for 404/410."""
        if valid_org_number(org_number) is None:
            raise RegisterError(f"{org_number!r} is not a valid organisation number")
        path = f"/enheter/{org_number}"
        response = self._get(path, ACCEPT_UNIT)
        if response.status_code in (404, 410):
            raise RemovedUnit(f"{org_number} is not in the register (HTTP {response.status_code})")
        if response.status_code != 200:
            raise RegisterError(f"GET {path}: HTTP {response.status_code}")
        body = self._json(response, path)
        if not isinstance(body, dict) or body.get("organisasjonsnummer") != org_number:
            raise RegisterError(f"GET {path}: the answer is not the unit asked for")
        return body

    def updates(self, after_id: int, size: int = 100) -> list[dict[str, Any]]:
        """Update events with oppdateringsid greater than ``after_id``, oldest first. The page is
        asked for by cursor, never by following the answer's ``_links``."""
        path = "/oppdateringer/enheter"
        response = self._get(path, ACCEPT_FEED, params={"oppdateringsid": after_id + 1, "size": size})
        if response.status_code != 200:
            raise RegisterError(f"GET {path}: HTTP {response.status_code}")
        body = self._json(response, path)
        if not isinstance(body, dict):
            raise RegisterError(f"GET {path}: unexpected answer")
        events = (body.get("_embedded") or {}).get("oppdaterteEnheter") or []  # no hits: no _embedded
        if not isinstance(events, list):
            raise RegisterError(f"GET {path}: unexpected answer")
        return events

    def roles(self, org_number: str) -> dict[str, Any]:
        """The organisation's roles (``rollegrupper``). Raises RemovedUnit for 404/410."""
        if valid_org_number(org_number) is None:
            raise RegisterError(f"{org_number!r} is not a valid organisation number")
        path = f"/enheter/{org_number}/roller"
        response = self._get(path, ACCEPT_ROLES)
        if response.status_code in (404, 410):
            raise RemovedUnit(f"{org_number} is not in the register (HTTP {response.status_code})")
        if response.status_code != 200:
            raise RegisterError(f"GET {path}: HTTP {response.status_code}")
        body = self._json(response, path)
        if not isinstance(body, dict):
            raise RegisterError(f"GET {path}: unexpected answer")
        return body

    def role_updates(self, after_id: int, size: int = 100) -> list[dict[str, Any]]:
        """Roles update events (CloudEvents: ``id``, ``time``, ``data.organisasjonsnummer``) after
        ``after_id``, oldest first. Asked for by cursor, never by following links in the answer."""
        path = "/oppdateringer/roller"
        response = self._get(path, ACCEPT_ROLES_FEED, params={"afterId": after_id, "size": size})
        if response.status_code != 200:
            raise RegisterError(f"GET {path}: HTTP {response.status_code}")
        body = self._json(response, path)
        if not isinstance(body, list):
            raise RegisterError(f"GET {path}: unexpected answer")
        return [event for event in body if isinstance(event, dict)]

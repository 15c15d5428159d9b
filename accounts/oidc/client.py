"""The relying-party protocol, done by Authlib (OAuth 2.0 / OIDC client) and joserfc (JOSE).

Authlib builds the authorization request (PKCE S256), pushes it (PAR) and exchanges the code with the
client's authentication (client_secret_basic or private_key_jwt); joserfc verifies the ID token's
signature against the provider's published keys under an algorithm allow-list, and Authlib's
``CodeIDToken`` checks iss, aud, exp, iat, nonce, acr, azp and at_hash. Nothing here parses or checks
a JWT by hand.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import JWSRegistry

from accounts.oidc.providers import Provider

# Only asymmetric signatures: never "none", never an HMAC (which a public key could be abused for).
ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
# Clock skew tolerated on exp/iat, in seconds.
LEEWAY = 30
_METADATA_TTL = 3600
_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class ProtocolError(Exception):
    """The provider could not be reached or answered something the protocol does not allow."""


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.OIDC_HTTP_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProtocolError(f"could not read {url}: {error.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{url} is not a JSON object")
    return data


def metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document, kept for an hour; its issuer must be the configured one."""
    cached = _cache.get(provider.issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    data = _get_json(f"{provider.issuer}/.well-known/openid-configuration")
    if data.get("issuer", "").rstrip("/") != provider.issuer:
        raise ProtocolError("the discovery document names another issuer")
    _cache[provider.issuer] = (time.monotonic() + _METADATA_TTL, data)
    return data


def _keys(provider: Provider, *, refresh: bool = False) -> KeySet:
    key = f"{provider.issuer}#jwks"
    cached = _cache.get(key)
    if refresh or not cached or cached[0] <= time.monotonic():
        cached = (time.monotonic() + _METADATA_TTL, _get_json(metadata(provider)["jwks_uri"]))
        _cache[key] = cached
    return KeySet.import_key_set(cached[1])  # type: ignore[arg-type]  # joserfc types the key set as a dict of str; ours came from JSON


def _session(provider: Provider, redirect_uri: str) -> OAuth2Session:
    secret: Any = provider.client_secret
    if provider.private_key_path:
        secret = RSAKey.import_key(Path(provider.private_key_path).read_bytes())
    session = OAuth2Session(
        client_id=provider.client_id,
        client_secret=secret,
        token_endpoint_auth_method=provider.auth_method,
        redirect_uri=redirect_uri,
        scope=provider.scope,
        code_challenge_method="S256",
    )
    if provider.private_key_path:
        # The assertion's audience is the issuer, which the token and PAR endpoints both accept.
        session.register_client_auth_method(PrivateKeyJWT(provider.issuer))
    return session


@dataclass
class Transaction:
    """What the portal remembers between sending the person to the provider and their return."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    acr: str
    redirect_uri: str
    next_url: str
    created: int
    fresh: bool = False
    step_up_user_id: int | None = None

    def as_session(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_session(cls, data: Any) -> Transaction | None:
        try:
            return cls(**data)
        except TypeError:
            return None


def authorization_url(
    provider: Provider,
    *,
    redirect_uri: str,
    acr: str,
    ui_locales: str,
    next_url: str,
    fresh: bool = False,
    step_up_user_id: int | None = None,
) -> tuple[str, Transaction]:
    """The URL to send the browser to, and the transaction to keep in the session."""
    meta = metadata(provider)
    tx = Transaction(
        provider=provider.name,
        state=generate_token(32),
        nonce=generate_token(32),
        code_verifier=generate_token(64),
        acr=acr,
        redirect_uri=redirect_uri,
        next_url=next_url,
        created=int(time.time()),
        fresh=fresh,
        step_up_user_id=step_up_user_id,
    )
    params: dict[str, Any] = {"nonce": tx.nonce, "ui_locales": ui_locales}
    if acr:
        params["acr_values"] = acr
    if fresh:
        params.update(prompt="login", max_age=0)
    session = _session(provider, redirect_uri)
    url, _state = session.create_authorization_url(
        meta["authorization_endpoint"], state=tx.state, code_verifier=tx.code_verifier, **params
    )
    if not provider.use_par:
        return url, tx
    # Pushed authorization request (RFC 9126): the parameters go to the provider directly, the
    # browser carries only the request_uri.
    endpoint = meta.get("pushed_authorization_request_endpoint")
    if not endpoint:
        raise ProtocolError("the provider offers no pushed authorization request endpoint")
    query = dict(parse_qsl(urlsplit(url).query))
    try:
        response = session.post(
            endpoint,
            data=query,
            auth=session.client_auth(session.token_endpoint_auth_method),
            withhold_token=True,
            timeout=settings.OIDC_HTTP_TIMEOUT,
        )
        response.raise_for_status()
        request_uri = response.json()["request_uri"]
    except (requests.RequestException, ValueError, KeyError) as error:
        raise ProtocolError(f"pushed authorization request failed: {error.__class__.__name__}") from None
    return (
        f"{meta['authorization_endpoint']}?{urlencode({'client_id': provider.client_id, 'request_uri': request_uri})}",
        tx,
    )


def exchange_code(provider: Provider, tx: Transaction, *, code: str) -> tuple[dict[str, Any], str]:
    """Redeem the code (with the PKCE verifier): the validated ID token's claims, and the ID token itself
    (the hint the provider's end-session endpoint asks for at logout)."""
    meta = metadata(provider)
    session = _session(provider, tx.redirect_uri)
    try:
        token = session.fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=tx.code_verifier,
            timeout=settings.OIDC_HTTP_TIMEOUT,
        )
    except Exception as error:  # Authlib raises OAuthError, requests its own: both mean "no token"
        raise ProtocolError(f"the token request failed: {error.__class__.__name__}") from None
    if "id_token" not in token:
        raise ProtocolError("the token response holds no ID token")
    return validate_id_token(provider, tx, token), str(token["id_token"])


def validate_id_token(provider: Provider, tx: Transaction, token: dict[str, Any]) -> dict[str, Any]:
    """Signature (joserfc, allow-listed algorithms, the provider's JWKS) and claims (Authlib)."""
    registry = JWSRegistry(algorithms=ALLOWED_ALGORITHMS)
    try:
        decoded = jwt.decode(token["id_token"], _keys(provider), registry=registry)
    except InvalidKeyIdError:  # the provider rotated its keys
        decoded = jwt.decode(token["id_token"], _keys(provider, refresh=True), registry=registry)
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "nonce": {"essential": True, "value": tx.nonce},
    }
    if tx.acr:
        options["acr"] = {"essential": True, "values": provider.levels_at_least(tx.acr)}
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        options,
        {"nonce": tx.nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
    )
    claims.validate(now=int(time.time()), leeway=LEEWAY)
    return dict(claims)


def logout_url(
    provider: Provider, *, post_logout_redirect_uri: str, ui_locales: str, id_token_hint: str = ""
) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it offers none.

    ID-porten's end-session endpoint requires ``id_token_hint`` (the ID token from the login) to know
    whose session to end; ``client_id`` stays for a session that has no token to hand."""
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except ProtocolError:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "ui_locales": ui_locales,
    }
    if id_token_hint:
        params = {"id_token_hint": id_token_hint, **params}
    return f"{endpoint}?{urlencode(params)}"

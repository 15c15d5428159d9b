"""The client's address, as far as the portal can know it.

``REMOTE_ADDR`` is the peer of the connection. Only when that peer is one of ``settings.TRUSTED_PROXIES``
(addresses or networks) does ``X-Forwarded-For`` count, and then only the part those proxies appended:
the list is read from the right, skipping trusted proxies, and the first address that is not one of
them is the client. Whatever a client puts at the left of the header itself is never believed, so a
forged header neither escapes a per-address limit nor resets one.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address for throttling and the audit trail ("" when the peer is unknown)."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _parse(hop)
        if address is None:
            return str(remote)  # a malformed hop: trust nothing beyond our own proxy
        if not _trusted(address, networks):
            return str(address)
    return str(remote)

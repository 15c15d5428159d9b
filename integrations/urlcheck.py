"""Webhook URLs must not reach into the portal's own network (SSRF).

A URL is refused unless it is https (http only where ``WEBHOOK_ALLOW_LOOPBACK`` is on, i.e. the tests) and
every address its host resolves to is a public unicast address: no loopback, private (RFC 1918, ULA),
link-local (the cloud metadata service 169.254.169.254 lives there), shared (CGNAT), multicast, reserved
or unspecified address. The test settings may allow loopback — only loopback — so that the tests' own
receiver can be reached; production never does. The check runs when the endpoint is registered and again
before every delivery, since a name can be pointed elsewhere after registration.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

# The metadata services of the big clouds, named even where a network's ranges would already cover them.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})


class UnsafeURL(ValueError):
    pass


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def check_url(url: str, *, resolve: bool = True) -> list[str]:
    """Raise UnsafeURL (with a translated message) unless ``url`` may receive webhooks; returns the
    addresses it resolves to (empty when ``resolve`` is false and the host is a name)."""
    allow_loopback = settings.WEBHOOK_ALLOW_LOOPBACK
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("This is not a valid URL.")) from None
    if parts.scheme != "https" and not (allow_loopback and parts.scheme == "http"):
        raise UnsafeURL(_("The address must start with https://."))
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        raise UnsafeURL(_("Give a host name, without a user name or password."))
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is None and not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL(_("The host name %(host)s cannot be resolved.") % {"host": host}) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        if _is_public(address) or (allow_loopback and address.is_loopback):
            continue
        raise UnsafeURL(_("The address points into a private or internal network; it is not allowed."))
    return addresses

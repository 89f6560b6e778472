"""The one place that decides which address a request comes from, for every rate limit.

Behind the reverse proxy of ``deploy/`` every request reaches gunicorn from 127.0.0.1, so a limit
counted per ``REMOTE_ADDR`` would be one limit for the whole site (five strangers' failed logins
locked out the owner). The proxy appends the address it saw to ``X-Forwarded-For``; the rightmost
``ALLAUTH_TRUSTED_PROXY_COUNT`` entries were written by proxies we run, everything left of them was
sent by the client and is never believed. The header is only read at all when the request comes
from one of ``TRUSTED_PROXY_IPS`` - a client that reaches gunicorn directly cannot forge it.
``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` (e.g. ``X-Real-IP``) replaces ``X-Forwarded-For`` when the
proxy sets such a header instead. These are allauth's own setting names: allauth's rate limits
(login, sign-up, password reset) ask ``accounts.adapter.AccountAdapter.get_client_ip``, which
answers from here, and so do ours (access codes, invitations, club registration).

IPv6 addresses count by their /64 network (``ALLAUTH_RATE_LIMIT_IPV6_PREFIX``): one household or
phone gets a whole /64 and could otherwise rotate through it to escape any limit.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

_UNKNOWN = "0.0.0.0"  # noqa: S104 - a key for "no usable address", never bound


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted_proxy(remote: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if remote is None:
        return False
    for network in getattr(settings, "TRUSTED_PROXY_IPS", ()):
        try:
            if remote in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's exact address as far as our own proxies vouch for it."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if not _trusted_proxy(remote):
        return remote
    if header:
        forwarded = _parse(request.headers.get(header, ""))
        return forwarded or remote
    if count <= 0:
        return remote
    hops = [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    if len(hops) < count:
        # Fewer entries than proxies we run: the request skipped one of them; the peer is all we know.
        return remote
    return _parse(hops[-count]) or remote


def client_address(request: HttpRequest) -> str:
    """The key every rate limit counts by: the client's IPv4 address or its IPv6 /64 network."""
    address = client_ip(request)
    if address is None:
        return _UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        prefix = int(getattr(settings, "ALLAUTH_RATE_LIMIT_IPV6_PREFIX", 64))
        return str(ipaddress.IPv6Network(f"{address}/{prefix}", strict=False).network_address)
    return str(address)

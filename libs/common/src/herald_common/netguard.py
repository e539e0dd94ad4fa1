"""Fetching URLs that users give us without letting them reach our own network (SSRF).

Only http(s) to public addresses: every address a host resolves to must be global unicast, so
loopback, private, link-local (and the cloud metadata address 169.254.169.254), unique-local,
CGNAT, multicast and reserved ranges are refused. The connection goes to the address that was
checked (the Host header and TLS SNI keep the name), so a DNS answer that changes between the
check and the connection cannot redirect it. Redirects are followed by hand, each hop checked.
An explicit allow-list of host:port pairs exists for tests and the local emulator.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

import httpx

MAX_REDIRECTS = 5


class BlockedUrl(ValueError):
    """The URL may not be fetched; the message says why, in words a user can act on."""


# IPv6 ranges that reach IPv4 or old site-local space, which `is_global` still calls global:
# NAT64 (well-known and local-use prefixes: a gateway may translate to our own IPv4 network),
# IPv4-compatible ::a.b.c.d (deprecated, routed to IPv4 by some stacks) and site-local fec0::/10.
_NOT_PUBLIC_V6 = tuple(
    ipaddress.IPv6Network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "fec0::/10")
)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in net for net in _NOT_PUBLIC_V6):
            return False
        elif ip.sixtofour is not None and not is_public(str(ip.sixtofour)):
            return False  # 6to4 (2002::/16) wrapping an internal IPv4 address
    return ip.is_global and not ip.is_multicast


async def resolve_public(host: str, port: int) -> str:
    """The first address of `host`, after checking that every address it resolves to is public."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BlockedUrl(f"{host} does not resolve") from None
    addresses = [str(info[4][0]) for info in infos]
    if not all(map(is_public, addresses)):
        # The address itself is not told: the answer must not map our network for the caller.
        raise BlockedUrl(f"{host} resolves to a non-public address; media must be on the internet")
    return addresses[0]


def _target(url: httpx.URL, allow: Collection[str]) -> tuple[str, int, bool]:
    if url.scheme not in ("http", "https"):
        raise BlockedUrl(f"only http and https URLs can be fetched, not {url.scheme or 'a relative URL'}")
    if not url.host:
        raise BlockedUrl("the URL has no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.host, port, f"{url.host}:{port}" in allow


@asynccontextmanager
async def guarded_stream(
    http: httpx.AsyncClient, url: str, *, allow: Collection[str] = (), timeout: float = 10.0
) -> AsyncIterator[httpx.Response]:
    """Like `http.stream("GET", url)`, following redirects, but only ever to public addresses."""
    current = httpx.URL(url)
    for _ in range(MAX_REDIRECTS + 1):
        host, port, allowed = _target(current, allow)
        request_url, extensions = current, {}
        if not allowed:
            address = await resolve_public(host, port)
            # Connect to the checked address; keep the name for Host and TLS (SNI, certificate check).
            request_url = current.copy_with(host=address)
            if current.scheme == "https":
                extensions["sni_hostname"] = host
        headers = {"Host": current.netloc.decode()}
        request = http.build_request(
            "GET", request_url, headers=headers, extensions=extensions, timeout=timeout
        )
        response = await http.send(request, stream=True, follow_redirects=False)
        if response.is_redirect:
            location = response.headers.get("location", "")
            await response.aclose()
            current = current.join(location)
            continue
        try:
            yield response
        finally:
            await response.aclose()
        return
    raise BlockedUrl(f"more than {MAX_REDIRECTS} redirects")

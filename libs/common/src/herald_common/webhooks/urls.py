"""Which endpoint URLs may be called (SSRF guard). https to public addresses only; with
`webhooks_allow_loopback` (never in prod) also http(s) to 127.0.0.1, for local receivers.
Checked when an endpoint is created and again before every request, connecting to the address
that was checked, so a DNS answer that changes later cannot point a delivery inside."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from herald_common.netguard import BlockedUrl, resolve_public

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    """The URL to connect to (its host is the checked address)."""
    host: str
    """The name, for the Host header and TLS SNI."""


def _parse(url: str, allow_loopback: bool) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise BlockedUrl(f"not a valid URL: {exc}") from None
    loopback = allow_loopback and parsed.host == LOOPBACK
    if parsed.scheme != "https" and not (loopback and parsed.scheme == "http"):
        raise BlockedUrl("webhook URLs must use https")
    if not parsed.host:
        raise BlockedUrl("the URL has no host")
    if parsed.userinfo:
        raise BlockedUrl("the URL must not carry credentials")
    return parsed


async def resolve_target(url: str, *, allow_loopback: bool) -> Target:
    parsed = _parse(url, allow_loopback)
    host = parsed.host
    if allow_loopback and host == LOOPBACK:
        return Target(parsed, host)
    port = parsed.port or 443
    address = await resolve_public(host, port)
    return Target(parsed.copy_with(host=address), host)

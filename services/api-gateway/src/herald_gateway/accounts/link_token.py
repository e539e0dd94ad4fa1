"""Signed authorize links: what lets a plain browser navigation start a consent without a bearer.

A token is `<payload>.<signature>`, both base64url: the payload names the link (a random id, for
single use), the platform, the business, the person and the expiry; the signature is
HMAC-SHA256 over the payload with a key only the gateway holds. Pure functions: the clock and the
key are passed in, and the single-use check (Redis) lives with the caller.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import orjson

from herald_gateway.problems import Unauthorized

# What a token may look like: the `link` query parameter is refused with 422 outside this shape.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,900}\.[A-Za-z0-9_-]{43}$"  # noqa: S105 (a shape, not a secret)
_SHAPE = re.compile(TOKEN_PATTERN)
# Links get a key of their own, derived from the gateway's sealing keyring (domain separation: a
# link signature can never double as anything the keyring protects).
_KEY_PURPOSE = b"herald/oauth-authorize-link/v1"


class LinkRefused(Unauthorized):
    """Every refusal is a 401 whose `type` says which check failed; the detail says what to do."""


class LinkInvalid(LinkRefused):
    slug, title = "link-invalid", "The link is not one Herald signed"


class LinkOtherPlatform(LinkRefused):
    slug, title = "link-other-platform", "The link is for another platform"


class LinkExpired(LinkRefused):
    slug, title = "link-expired", "The link has expired"


class LinkUsed(LinkRefused):
    slug, title = "link-used", "The link was already used"


@dataclass(frozen=True)
class LinkClaims:
    id: str
    platform: str
    business_id: int
    user_id: str
    expires_at: int
    """Unix seconds."""


def derive_key(keyring: str) -> bytes:
    """The links' HMAC key, from HERALD_TOKEN_ENCRYPTION_KEYS (so every replica derives the same)."""
    return hmac.new(keyring.encode(), _KEY_PURPOSE, hashlib.sha256).digest()


def new_claims(platform: str, business_id: int, user_id: str, *, now: float, ttl: int) -> LinkClaims:
    return LinkClaims(secrets.token_urlsafe(16), platform, business_id, user_id, int(now) + ttl)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def sign(key: bytes, claims: LinkClaims) -> str:
    body = {"i": claims.id, "p": claims.platform, "b": claims.business_id, "u": claims.user_id}
    payload = _b64(orjson.dumps({**body, "e": claims.expires_at}))
    return f"{payload}.{_signature(key, payload)}"


def verify(key: bytes, token: str, *, platform: str, now: float) -> LinkClaims:
    """The claims of a link this gateway signed, for this platform, not yet expired."""
    if not _SHAPE.fullmatch(token):
        raise LinkInvalid("this link is malformed or cut short; ask for a new one")
    payload, signature = token.split(".")
    if not hmac.compare_digest(_signature(key, payload), signature):
        raise LinkInvalid("this link was altered or not signed by this Herald; ask for a new one")
    try:
        raw = orjson.loads(_unb64(payload))
        claims = LinkClaims(str(raw["i"]), str(raw["p"]), int(raw["b"]), str(raw["u"]), int(raw["e"]))
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        # Signed by us yet unreadable: only a key shared with another format could do that.
        raise LinkInvalid("this link cannot be read; ask for a new one") from None
    if claims.platform != platform:
        raise LinkOtherPlatform(
            f"this link connects {claims.platform}, not {platform}; open it at its own address"
        )
    if claims.expires_at <= now:
        raise LinkExpired("this link has expired; ask for a new one (links last a couple of minutes)")
    return claims

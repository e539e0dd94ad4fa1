"""Verifies bearer JWTs from an OpenID Connect provider (Clerk, Auth0, Keycloak, make dev's own key).

Algorithms are an allow-list of asymmetric ones: `alg: none` and HS256-signed-with-the-public-key
tokens never verify. Issuer, audience, expiry and not-before are checked with a small leeway.
Which claims carry the user and their businesses is configuration.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import jwt

from herald_gateway.auth.caller import Caller
from herald_gateway.auth.jwks import JwksCache
from herald_gateway.problems import Unauthorized
from herald_gateway.settings import Settings


class VerifiedTokens:
    """Tokens already verified, until they expire (at most `ttl` seconds): clients send the same
    token with every request, and checking an RSA signature each time was a fifth of a request's CPU.
    A JWT cannot be revoked before its expiry anyway; the cache changes nothing about that."""

    def __init__(self, size: int = 10_000, ttl: float = 60.0) -> None:
        self.size, self.ttl = size, ttl
        self._entries: OrderedDict[str, tuple[float, Caller]] = OrderedDict()

    def get(self, token: str) -> Caller | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if entry[0] <= time.time():
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return entry[1]

    def put(self, token: str, caller: Caller, expires_at: float) -> None:
        self._entries[token] = (min(expires_at, time.time() + self.ttl), caller)
        self._entries.move_to_end(token)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


class JwtVerifier:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.verified = VerifiedTokens()
        self.jwks = JwksCache(settings.auth_jwks_url) if settings.auth_jwks_url else None
        path = settings.auth_dev_public_key_file
        dev_key_allowed = settings.environment != "prod"  # prod refuses to start without a JWKS URL
        self.static_key = path.read_bytes() if path and not self.jwks and dev_key_allowed else None

    async def verify(self, token: str) -> Caller:
        if (known := self.verified.get(token)) is not None:
            return known
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthorized("the token is not a JWT") from None
        if header.get("alg") not in self.s.auth_algorithms:
            raise Unauthorized(f"tokens signed with {header.get('alg')!r} are not accepted")
        key = await self._key(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self.s.auth_algorithms,
                audience=self.s.auth_audience,
                issuer=self.s.auth_issuer,
                leeway=self.s.auth_leeway_seconds,
                options={"require": ["exp", "iss", "aud", self.s.auth_user_claim]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthorized("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("the token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("the token was issued by someone else") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"the token is not valid: {exc}") from None
        caller = Caller(
            str(claims[self.s.auth_user_claim]), _businesses(claims, self.s.auth_businesses_claim)
        )
        self.verified.put(token, caller, float(claims["exp"]))
        return caller

    async def _key(self, kid: str | None) -> Any:
        if self.jwks is not None:
            key = await self.jwks.key(kid)
            if key is None:
                raise Unauthorized("the token was signed with an unknown key")
            return key
        if self.static_key is None:
            raise Unauthorized("no token verifier is configured (HERALD_AUTH_JWKS_URL)")
        return self.static_key


def _businesses(claims: dict[str, Any], path: str) -> frozenset[int]:
    """The claim at a dotted path (e.g. `businesses` or `https://herald.dev/claims.businesses`):
    a list of ids, or a single id."""
    value: Any = claims
    for part in path.split(".") if path not in claims else [path]:
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return frozenset()
    items = value if isinstance(value, list) else [value]
    try:
        return frozenset(int(v) for v in items)
    except (TypeError, ValueError):
        raise Unauthorized(f"the token's {path} claim is not a list of business ids") from None

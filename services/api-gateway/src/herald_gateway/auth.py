"""Who is calling. The handlers only see a `Caller`; how it was proven lives here.

Today: RS256 JWTs checked against a configured public key (make dev signs its own). An
OpenID Connect / JWKS verifier and API keys slot in behind `authenticate` without handler changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request

from herald_gateway.problems import NotFound, Unauthorized, Unprocessable
from herald_gateway.settings import Settings


@dataclass(frozen=True)
class Caller:
    user_id: str
    business_ids: frozenset[int]

    def business(self, requested: int | None) -> int:
        """The business a request acts for: the one asked for (if the caller belongs to it) or the only one."""
        if requested is None:
            if len(self.business_ids) == 1:
                return next(iter(self.business_ids))
            raise Unprocessable(
                "business_id is required: you belong to several businesses",
                businesses=sorted(self.business_ids),
            )
        if requested not in self.business_ids:
            raise NotFound(f"business {requested} not found")  # never confirm another tenant exists
        return requested


class JwtVerifier:
    def __init__(self, settings: Settings) -> None:
        path = settings.auth_dev_public_key_file
        self._key = path.read_bytes() if path else None
        self._settings = settings

    def verify(self, token: str) -> Caller:
        if self._key is None:
            raise Unauthorized("no token verifier is configured (set HERALD_AUTH_DEV_PUBLIC_KEY_FILE)")
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["RS256"],
                audience=self._settings.auth_audience,
                issuer=self._settings.auth_issuer,
                leeway=self._settings.auth_leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"the token is not valid: {exc}") from None
        businesses = claims.get("businesses") or []
        if not isinstance(businesses, list) or not all(isinstance(b, int) for b in businesses):
            raise Unauthorized("the token's businesses claim is not a list of ids")
        return Caller(str(claims["sub"]), frozenset(businesses))


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send `Authorization: Bearer <token>`")
    return token.strip()


def authenticate(request: Request) -> Caller:
    verifier: JwtVerifier = request.app.state.verifier
    return verifier.verify(bearer_token(request))


CurrentCaller = Annotated[Caller, Depends(authenticate)]

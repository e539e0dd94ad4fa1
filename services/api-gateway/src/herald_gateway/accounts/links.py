"""Minting and redeeming authorize links (the token itself: link_token.py).

Redeeming burns the link's id in Redis (SET NX, until the link would have expired anyway), so
a link opened twice, by a second tab or by someone who saw it, starts no second consent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio import Redis

from herald_common.platforms import Platform
from herald_gateway.accounts import link_token
from herald_gateway.accounts.link_token import LinkClaims, LinkUsed
from herald_gateway.auth.caller import Caller


def _used_key(link_id: str) -> str:
    return f"herald:oauth:link:{link_id}"


class AuthorizeLinks:
    def __init__(
        self, key: bytes, redis: Redis, ttl_seconds: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.key, self.redis, self.ttl, self.clock = key, redis, ttl_seconds, clock

    def mint(self, caller: Caller, platform: Platform, business_id: int | None) -> str:
        """A token for `authorize?link=`: acts as this person, for this business, once."""
        claims = link_token.new_claims(
            platform.value, caller.business(business_id), caller.user_id, now=self.clock(), ttl=self.ttl
        )
        return link_token.sign(self.key, claims)

    async def redeem(self, token: str, platform: Platform) -> Caller:
        """The person the link acts for, limited to the link's business; the link is used up."""
        now = self.clock()
        claims: LinkClaims = link_token.verify(self.key, token, platform=platform.value, now=now)
        remaining = max(1, int(claims.expires_at - now) + 1)
        if not await self.redis.set(_used_key(claims.id), b"1", nx=True, ex=remaining):
            raise LinkUsed("this link was already used; ask for a new one")
        return Caller(user_id=claims.user_id, business_ids=frozenset({claims.business_id}))

"""Failed authentications count per client address, on a limit of their own
(`rate_limit_failed_auth`): guessing API keys or tokens from one address stops there with 429,
and nobody's own quota is touched. Checked before the credentials, counted when they fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from limits import parse

if TYPE_CHECKING:
    from herald_gateway.ratelimit import RateLimiter

FAILED_AUTH = "rate_limit_failed_auth"


def client_address(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


async def refuse_if_failing_too_often(request: Request) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.enabled:
        return
    item = parse(request.app.state.settings.rate_limit_failed_auth)
    who = client_address(request)
    if not await limiter.strategy.test(item, FAILED_AUTH, who):
        raise limiter.refusal(item, await limiter.quota(item, FAILED_AUTH, who))


async def count_failure(request: Request) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    if limiter.enabled:
        item = parse(request.app.state.settings.rate_limit_failed_auth)
        await limiter.strategy.hit(item, FAILED_AUTH, client_address(request))

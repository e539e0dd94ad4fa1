"""Per-caller rate limits (per IP where nobody is signed in), in Redis so every replica shares them.

Moving windows from the `limits` library. Each limited response carries `X-RateLimit-*` and the
IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers: the policy's
quota `q` and window `w`, the remaining units `r` and seconds to reset `t`); a 429 adds `Retry-After`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from herald_gateway.auth.caller import Caller
from herald_gateway.auth.dependencies import authenticate
from herald_gateway.auth.failed_attempts import client_address
from herald_gateway.problems import Problem
from herald_gateway.settings import Settings


class TooManyRequests(Problem):
    status, slug, title = 429, "rate-limited", "Too many requests"


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset_at: float
    policy: str = "default"  # which limit: the setting's name without `rate_limit_`
    window: int = 0  # seconds

    def headers(self) -> dict[str, str]:
        reset_in = max(0, math.ceil(self.reset_at - time.time()))
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
            "RateLimit-Policy": f'"{self.policy}";q={self.limit};w={self.window}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={reset_in}',
        }


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        storage = RedisStorage(
            settings.redis_url.replace("redis://", "async+redis://", 1), implementation="redispy"
        )
        self.strategy = MovingWindowRateLimiter(storage)

    async def hit(self, item: RateLimitItem, setting: str, who: str) -> Quota:
        allowed = await self.strategy.hit(item, setting, who)
        quota = await self.quota(item, setting, who)
        if not allowed:
            raise self.refusal(item, quota)
        return quota

    async def quota(self, item: RateLimitItem, setting: str, who: str) -> Quota:
        stats = await self.strategy.get_window_stats(item, setting, who)
        policy = setting.removeprefix("rate_limit_")
        return Quota(item.amount, stats.remaining, stats.reset_time, policy, item.get_expiry())

    @staticmethod
    def refusal(item: RateLimitItem, quota: Quota) -> TooManyRequests:
        wait = max(1, math.ceil(quota.reset_at - time.time()))
        error = TooManyRequests(f"rate limit of {item} reached; try again in {wait} s")
        error.headers.update(quota.headers())
        error.headers["Retry-After"] = str(wait)
        return error


def limited(setting: str) -> Callable[..., Awaitable[None]]:
    """A dependency enforcing the limit named by a Settings field, e.g. `rate_limit_publish`."""

    async def check(request: Request, caller: Caller = Depends(authenticate)) -> None:
        await apply_limit(request, setting, caller.rate_limit_key)

    return check


def limited_by_ip(setting: str) -> Callable[..., Awaitable[None]]:
    async def check(request: Request) -> None:
        await apply_limit(request, setting, client_address(request))

    return check


async def apply_limit(request: Request, setting: str, who: str) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    if not limiter.enabled:
        return
    item = parse(getattr(request.app.state.settings, setting))
    request.state.quota = await limiter.hit(item, setting, who)


class QuotaHeadersMiddleware:
    """Adds the caller's remaining quota to every rate-limited response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_quota(message: Message) -> None:
            quota: Quota | None = scope.get("state", {}).get("quota")
            if message["type"] == "http.response.start" and quota is not None:
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for k, v in quota.headers().items():
                    if k.lower().encode() not in present:
                        headers.append((k.lower().encode(), v.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_quota)

"""Per-account request budgets in Redis, so a publisher slows down before a platform says 429.

Two sources, because the platforms differ:

- **What the platform reports** (X `x-rate-limit-remaining`/`-reset` and the 24-hour caps, Meta's
  `X-Business-Use-Case-Usage` percentages): stored per (platform, account, bucket) until the
  reset the platform named. That count is the truth: it includes calls made by other replicas,
  other apps with the same token and everything a local guess cannot see.
- **What we count** where the platform reports nothing (LinkedIn: daily limits, no headers,
  reset at midnight UTC): an INCR per account and UTC day, expiring at midnight.

Every replica shares Redis, so one replica's 429 holds back the others. Redis trouble never
stops publishing: the platform's own 429 is still classified and honoured.

Cost per call: one round trip to read every bucket a call needs, and at most one to record what
the answer reported. `observe_all(..., reserve=n)` writes a report that cannot hold a call back
(more than `n` left) only when this process has not yet recorded that bucket's window (its
reset): such a state only ever lets calls go, as no state does, so rewriting it with every
answer is pure cost. Reports at or below the reserve, and every new window, are always written,
so the stored state is never more permissive than the platform's latest word.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from herald_common.logs import get_logger
from herald_common.publishing.outcomes import RetryableError

log = get_logger(__name__)
PREFIX = "herald:budget"
# Windows this process remembers having recorded; forgotten all at once past this (then rewritten).
MAX_REMEMBERED_WINDOWS = 10_000


@dataclass(frozen=True)
class Report:
    """What one answer said is left of one bucket until `reset_at` (unix seconds)."""

    account_id: str
    bucket: str
    remaining: int
    reset_at: float


def seconds_to_utc_midnight(now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


class Budgets:
    """`redis=None` keeps no budgets (tests of other things, or a deliberate opt-out)."""

    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis
        self._recorded: dict[str, float] = {}  # key -> the reset of the window recorded above the reserve

    @staticmethod
    def _key(platform: str, account_id: str, bucket: str) -> str:
        return f"{PREFIX}:{platform}:{account_id}:{bucket}"

    async def check(self, platform: str, account_id: str, *buckets: str, reserve: int = 0) -> None:
        """Raise a rate-limited RetryableError when a bucket has `reserve` calls or fewer left
        before its reset: the call would (nearly) exhaust the platform's limit."""
        await self.check_all(platform, [(account_id, b) for b in buckets], reserve=reserve)

    async def check_all(self, platform: str, buckets: Sequence[tuple[str, str]], *, reserve: int = 0) -> None:
        """`check` of several (account, bucket) pairs in one round trip."""
        if self.redis is None or not buckets:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for account_id, bucket in buckets:
                    pipe.hmget(self._key(platform, account_id, bucket), "remaining", "reset_at")
                states = await pipe.execute()
        except RedisError as exc:
            log.warning("budgets unavailable; relying on the platform's answers", extra={"error": str(exc)})
            return
        now = time.time()
        for (_, bucket), (remaining, reset_at) in zip(buckets, states, strict=True):
            if remaining is None or reset_at is None:
                continue
            wait = float(reset_at) - now
            if int(remaining) <= reserve and wait > 0:
                raise RetryableError(
                    f"{platform} budget '{bucket}' of this account is spent until its reset; "
                    f"holding back instead of calling",
                    code="budget_spent",
                    retry_after=wait,
                    rate_limited=True,
                )

    async def observe(
        self, platform: str, account_id: str, bucket: str, *, remaining: int, reset_at: float
    ) -> None:
        """Remember what the platform said is left until `reset_at` (unix seconds)."""
        await self.observe_all(platform, [Report(account_id, bucket, remaining, reset_at)])

    async def observe_all(
        self, platform: str, reports: Iterable[Report], *, reserve: int | None = None
    ) -> None:
        """Record several reports in one round trip. With `reserve` (the one `check` uses), a
        report above it is skipped when this process already recorded that window (see above)."""
        if self.redis is None:
            return
        now = time.time()
        writes: list[tuple[str, Report]] = []
        for report in reports:
            key = self._key(platform, report.account_id, report.bucket)
            if report.reset_at <= now:
                continue
            unneeded = reserve is not None and report.remaining > reserve
            if unneeded and self._recorded.get(key) == report.reset_at:
                continue
            writes.append((key, report))
        if not writes:
            return
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                for key, report in writes:
                    pipe.hset(key, mapping={"remaining": report.remaining, "reset_at": report.reset_at})
                    pipe.expireat(key, int(report.reset_at) + 1)
                await pipe.execute()
        except RedisError as exc:
            log.warning("could not record a budget", extra={"error": str(exc)})
            return
        if reserve is None:
            return
        if len(self._recorded) > MAX_REMEMBERED_WINDOWS:
            self._recorded.clear()
        for key, report in writes:
            if report.remaining > reserve:
                self._recorded[key] = report.reset_at
            else:
                self._recorded.pop(key, None)

    async def take_daily(self, platform: str, account_id: str, bucket: str, *, limit: int) -> None:
        """Count one call against a budget that resets at midnight UTC; hold back once it is spent."""
        if self.redis is None:
            return
        now = datetime.now(UTC)
        key = self._key(platform, account_id, f"{bucket}:{now:%Y-%m-%d}")
        wait = seconds_to_utc_midnight(now)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, int(wait) + 60)
                used, _ = await pipe.execute()
            if int(used) > limit:
                await self.redis.decr(key)
        except RedisError as exc:
            log.warning("budgets unavailable; relying on the platform's answers", extra={"error": str(exc)})
            return
        if int(used) > limit:
            raise RetryableError(
                f"{platform} daily budget '{bucket}' ({limit}) of this account is spent; "
                "waiting for midnight UTC",
                code="budget_spent",
                retry_after=wait,
                rate_limited=True,
            )

    async def spend_daily(self, platform: str, account_id: str, bucket: str, *, limit: int) -> None:
        """The platform said the day's budget is gone (a 429): mark it spent until midnight UTC."""
        if self.redis is None:
            return
        now = datetime.now(UTC)
        key = self._key(platform, account_id, f"{bucket}:{now:%Y-%m-%d}")
        try:
            await self.redis.set(key, limit, ex=int(seconds_to_utc_midnight(now)) + 60)
        except RedisError as exc:
            log.warning("could not record a budget", extra={"error": str(exc)})

"""Per-account budgets in the real Redis: hold back before the platform would say 429."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from herald_common.publishing.budget import Budgets, Report, seconds_to_utc_midnight
from herald_common.publishing.outcomes import RetryableError


@pytest.fixture
async def budgets(redis_url: str) -> AsyncIterator[Budgets]:
    redis = Redis.from_url(redis_url)
    yield Budgets(redis)
    await redis.aclose()


def account() -> str:
    return uuid.uuid4().hex


async def test_a_spent_window_holds_back_until_its_reset(budgets: Budgets) -> None:
    who = account()
    await budgets.observe("twitter", who, "window", remaining=1, reset_at=time.time() + 60)
    await budgets.check("twitter", who, "window")  # one left: go
    await budgets.observe("twitter", who, "window", remaining=0, reset_at=time.time() + 60)
    with pytest.raises(RetryableError) as caught:
        await budgets.check("twitter", who, "window")
    assert caught.value.rate_limited and caught.value.code == "budget_spent"
    assert caught.value.retry_after is not None and 58 < caught.value.retry_after <= 60
    await budgets.check("twitter", account(), "window")  # another account is not held back


async def test_a_reserve_holds_back_earlier_and_a_past_reset_does_not(budgets: Budgets) -> None:
    who = account()
    await budgets.observe("facebook", who, "buc", remaining=4, reset_at=time.time() + 60)
    with pytest.raises(RetryableError):
        await budgets.check("facebook", who, "buc", reserve=5)
    other = account()
    await budgets.observe("facebook", other, "buc", remaining=0, reset_at=time.time() - 1)
    await budgets.check("facebook", other, "buc")


async def test_several_buckets_are_checked_at_once(budgets: Budgets) -> None:
    who = account()
    await budgets.observe_all(
        "twitter",
        [Report(who, "window", 5, time.time() + 60), Report("app-" + who, "app24h", 0, time.time() + 60)],
    )
    await budgets.check_all("twitter", [(who, "window"), (who, "user24h")])
    with pytest.raises(RetryableError) as caught:
        await budgets.check_all("twitter", [(who, "window"), ("app-" + who, "app24h")])
    assert "'app24h'" in caught.value.reason


async def stored(budgets: Budgets, who: str) -> int | None:
    assert budgets.redis is not None
    value = await budgets.redis.hget(f"herald:budget:twitter:{who}:window", "remaining")
    return None if value is None else int(value)


async def test_a_window_above_the_reserve_is_recorded_once_and_low_answers_always(
    budgets: Budgets, redis_url: str
) -> None:
    who, reset = account(), time.time() + 60
    await budgets.observe_all("twitter", [Report(who, "window", 50, reset)], reserve=0)
    assert await stored(budgets, who) == 50
    await budgets.observe_all("twitter", [Report(who, "window", 49, reset)], reserve=0)
    assert await stored(budgets, who) == 50  # same window, still lets calls go: not rewritten
    # Another replica meets the end of the window: our later, higher answer does not undo it.
    other = Budgets(Redis.from_url(redis_url))
    await other.observe_all("twitter", [Report(who, "window", 0, reset)], reserve=0)
    await budgets.observe_all("twitter", [Report(who, "window", 48, reset)], reserve=0)
    with pytest.raises(RetryableError):
        await budgets.check("twitter", who, "window")
    # A low answer is always written, and so is the next window.
    await budgets.observe_all("twitter", [Report(who, "window", 0, reset)], reserve=0)
    assert await stored(budgets, who) == 0
    await budgets.observe_all("twitter", [Report(who, "window", 100, reset + 900)], reserve=0)
    assert await stored(budgets, who) == 100
    await budgets.check("twitter", who, "window")
    assert other.redis is not None
    await other.redis.aclose()


async def test_without_a_reserve_every_report_is_written(budgets: Budgets) -> None:
    who, reset = account(), time.time() + 60
    await budgets.observe("twitter", who, "window", remaining=50, reset_at=reset)
    await budgets.observe("twitter", who, "window", remaining=49, reset_at=reset)
    assert await stored(budgets, who) == 49


async def test_daily_budget_counts_to_its_limit_then_waits_for_midnight(budgets: Budgets) -> None:
    who = account()
    for _ in range(3):
        await budgets.take_daily("linkedin", who, "posts", limit=3)
    with pytest.raises(RetryableError) as caught:
        await budgets.take_daily("linkedin", who, "posts", limit=3)
    assert caught.value.retry_after is not None
    assert abs(caught.value.retry_after - seconds_to_utc_midnight()) < 5
    spent = account()
    await budgets.spend_daily("linkedin", spent, "posts", limit=3)
    with pytest.raises(RetryableError):
        await budgets.take_daily("linkedin", spent, "posts", limit=3)


async def test_without_redis_nothing_is_held_back() -> None:
    budgets = Budgets(None)
    await budgets.observe("twitter", "a", "window", remaining=0, reset_at=time.time() + 60)
    await budgets.check("twitter", "a", "window")
    await budgets.take_daily("linkedin", "a", "posts", limit=0)


async def test_redis_down_fails_open() -> None:
    budgets = Budgets(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    await budgets.check("twitter", "a", "window")
    await budgets.take_daily("linkedin", "a", "posts", limit=1)

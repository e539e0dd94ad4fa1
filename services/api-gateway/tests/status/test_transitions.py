"""The status store's rules, applied by `StatusService` on a real PostgreSQL: each platform only moves
forward whatever order its lifecycle events arrive in, a redelivered event changes nothing, the
post follows its platforms, and events of a post not yet recorded wait for it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import asyncpg
import pytest
from redis.asyncio import Redis

from herald_common.events import (
    LifecycleEvent,
    PostCancelled,
    PostDispatched,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostRequested,
    PostRetryScheduled,
    PostTarget,
    PublishedPart,
    utcnow,
)
from herald_common.platforms import Platform
from herald_gateway.status.service import Lifecycle, StatusService

pytestmark = pytest.mark.infra

X, LI = Platform.TWITTER, Platform.LINKEDIN


@pytest.fixture
async def status(redis_url: str) -> AsyncIterator[StatusService]:
    redis = Redis.from_url(redis_url)
    yield StatusService(redis)
    await redis.aclose()


def part(n: int) -> PublishedPart:
    return PublishedPart(index=n, platform_post_id=f"180000000000000000{n}")


class Post:
    """One post's lifecycle events, each with a fresh event id unless one is given."""

    def __init__(self, *platforms: Platform) -> None:
        self.id, self.platforms = str(uuid.uuid4()), platforms
        self.common = {"post_id": self.id, "business_id": 1, "occurred_at": utcnow()}

    def requested(self) -> PostRequested:
        return PostRequested(
            post_id=self.id,
            business_id=1,
            targets=tuple(PostTarget(platform=p, content="hello") for p in self.platforms),
            requested_at=utcnow(),
        )

    def dispatched(self, p: Platform, attempt: int = 1) -> PostDispatched:
        return PostDispatched(platform=p, attempt=attempt, due_at=utcnow(), **self.common)

    def published(self, p: Platform, attempt: int = 1, parts: int = 1) -> PostPublished:
        return PostPublished(platform=p, attempt=attempt, parts=tuple(map(part, range(parts))), **self.common)

    def partial(self, p: Platform, live: int, attempt: int = 1) -> PostPartiallyPublished:
        return PostPartiallyPublished(
            platform=p,
            attempt=attempt,
            parts=tuple(map(part, range(live))),
            planned_parts=4,
            reason="the platform refused part " + str(live + 1),
            **self.common,
        )

    def failed(self, p: Platform, attempt: int = 1) -> PostPublishFailed:
        return PostPublishFailed(platform=p, attempt=attempt, reason="refused", **self.common)

    def retry(self, p: Platform, attempt: int) -> PostRetryScheduled:
        return PostRetryScheduled(
            platform=p,
            attempt=attempt,
            next_attempt_at=utcnow() + timedelta(seconds=30),
            reason="503",
            **self.common,
        )

    def cancelled(self) -> PostCancelled:
        return PostCancelled(request_id=None, platforms=self.platforms, **self.common)

    def missed(self, p: Platform) -> PostMissed:
        return PostMissed(platform=p, due_at=utcnow(), reason="the scheduler was down", **self.common)


async def apply(
    pool: asyncpg.Pool, status: StatusService, events: Sequence[LifecycleEvent | Lifecycle]
) -> None:
    """Each in its own batch (as separate polls would bring them), in the handler's transaction."""
    for e in events:
        item = e if isinstance(e, Lifecycle) else Lifecycle(str(uuid.uuid4()), e)
        async with pool.acquire() as conn, conn.transaction():
            await status.apply_batch(conn, [item])


async def record(pool: asyncpg.Pool, status: StatusService, post: Post) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await status.record_request(conn, post.requested())


async def states(pool: asyncpg.Pool, post: Post) -> tuple[str, dict[str, str]]:
    overall = await pool.fetchval("SELECT status FROM posts WHERE id = $1", post.id)
    rows = await pool.fetch("SELECT platform, status FROM post_targets WHERE post_id = $1", post.id)
    return overall, {r["platform"]: r["status"] for r in rows}


async def changes(pool: asyncpg.Pool, post: Post) -> list[tuple[str | None, str | None]]:
    rows = await pool.fetch(
        "SELECT platform, platform_status FROM status_changes WHERE post_id = $1 ORDER BY id", post.id
    )
    return [(r["platform"], r["platform_status"]) for r in rows]


@pytest.mark.parametrize(
    ("sequence", "twitter", "overall"),
    [
        (lambda p: [p.dispatched(X), p.published(X)], "published", "published"),
        # out of order: the result overtook its dispatch notice
        (lambda p: [p.published(X), p.dispatched(X)], "published", "published"),
        (lambda p: [p.dispatched(X), p.failed(X)], "failed", "failed"),
        # a published result wins over a failure (a lost answer reconciled later)
        (lambda p: [p.failed(X), p.published(X)], "published", "published"),
        (lambda p: [p.published(X), p.failed(X, attempt=2)], "published", "published"),
        # a retry re-opens the platform; the older attempt's failure, redelivered, is stale
        (lambda p: [p.retry(X, 2), p.failed(X, attempt=1)], "publishing", "publishing"),
        (lambda p: [p.retry(X, 2), p.failed(X, attempt=2)], "failed", "failed"),
        (lambda p: [p.retry(X, 2), p.dispatched(X, 1)], "publishing", "publishing"),
        # more live parts move a partial result on; fewer never move it back
        (lambda p: [p.partial(X, 1), p.partial(X, 3)], "partially_published", "partially_published"),
        (lambda p: [p.partial(X, 3), p.partial(X, 1)], "partially_published", "partially_published"),
        (lambda p: [p.partial(X, 2), p.published(X, parts=4)], "published", "published"),
        (lambda p: [p.published(X, parts=4), p.partial(X, 2)], "published", "published"),
        (lambda p: [p.partial(X, 2), p.failed(X, attempt=2)], "partially_published", "partially_published"),
        (lambda p: [p.cancelled(), p.dispatched(X)], "cancelled", "cancelled"),
        (lambda p: [p.missed(X)], "missed", "missed"),
        (lambda p: [p.missed(X), p.published(X)], "published", "published"),
    ],
)
async def test_a_platform_only_moves_forward(
    gateway_pool: asyncpg.Pool, status: StatusService, sequence: object, twitter: str, overall: str
) -> None:
    post = Post(X)
    await record(gateway_pool, status, post)
    await apply(gateway_pool, status, sequence(post))  # type: ignore[operator]
    assert await states(gateway_pool, post) == (overall, {"twitter": twitter})


async def test_the_post_follows_its_platforms(gateway_pool: asyncpg.Pool, status: StatusService) -> None:
    post = Post(X, LI)
    await record(gateway_pool, status, post)
    await apply(gateway_pool, status, [post.published(X)])
    assert await states(gateway_pool, post) == (
        "publishing",
        {"twitter": "published", "linkedin": "publishing"},
    )
    await apply(gateway_pool, status, [post.failed(LI)])
    assert await states(gateway_pool, post) == (
        "partially_published",
        {"twitter": "published", "linkedin": "failed"},
    )


async def test_a_redelivered_event_changes_nothing(gateway_pool: asyncpg.Pool, status: StatusService) -> None:
    post = Post(X)
    await record(gateway_pool, status, post)
    published = Lifecycle("evt-published-once", post.published(X))
    await apply(gateway_pool, status, [published, published])
    # the same result under another event id (a publisher re-sending it after a crash) is no change either
    await apply(gateway_pool, status, [post.published(X)])
    assert await states(gateway_pool, post) == ("published", {"twitter": "published"})
    assert [c for c in await changes(gateway_pool, post) if c[0] == "twitter"] == [("twitter", "published")]


async def test_one_batch_applies_each_posts_events_in_order(
    gateway_pool: asyncpg.Pool, status: StatusService
) -> None:
    first, second = Post(X), Post(X)
    for post in (first, second):
        await record(gateway_pool, status, post)
    batch = [first.retry(X, 2), second.published(X), first.failed(X, attempt=2), second.failed(X, attempt=2)]
    async with gateway_pool.acquire() as conn, conn.transaction():
        await status.apply_batch(conn, [Lifecycle(str(uuid.uuid4()), e) for e in batch])
    assert await states(gateway_pool, first) == ("failed", {"twitter": "failed"})
    assert await states(gateway_pool, second) == ("published", {"twitter": "published"})


async def test_events_of_an_unknown_post_wait_for_it_once_each(
    gateway_pool: asyncpg.Pool, status: StatusService
) -> None:
    post = Post(X)
    early = Lifecycle("evt-early", post.published(X))
    await apply(gateway_pool, status, [post.dispatched(X), early, early])  # redelivered while parked
    assert await states(gateway_pool, post) == (None, {})
    parked = await gateway_pool.fetchval("SELECT count(*) FROM pending_lifecycle WHERE post_id = $1", post.id)
    assert parked == 2
    await record(gateway_pool, status, post)
    assert await states(gateway_pool, post) == ("published", {"twitter": "published"})
    assert (
        await gateway_pool.fetchval("SELECT count(*) FROM pending_lifecycle WHERE post_id = $1", post.id) == 0
    )

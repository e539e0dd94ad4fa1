"""A post produced straight onto Kafka reaches the status store through post.requested, while its
lifecycle events come on another topic and may be read first. They are kept, not dropped, and
applied when the post is recorded."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from herald_common.events import (
    PostDispatched,
    PostPublished,
    PostRequested,
    PostTarget,
    PublishedPart,
    encode,
    utcnow,
)
from herald_common.kafka.producer import Producer
from herald_common.platforms import Platform

pytestmark = pytest.mark.infra

X = Platform.TWITTER


async def until(conn: asyncpg.Connection, sql: str, post_id: str, want: Any, seconds: float = 30) -> Any:
    """Polls (bounded) until the query gives `want`; returns what it last gave."""
    async with asyncio.timeout(seconds):
        while (got := await conn.fetchval(sql, post_id)) != want:
            await asyncio.sleep(0.1)
    return got


async def test_lifecycle_events_read_before_their_post_are_applied_when_it_is_recorded(
    gateway_factory: Callable[..., Any], fresh_database: str, kafka_bootstrap: str
) -> None:
    post_id = str(uuid.uuid4())
    common = {"post_id": post_id, "business_id": 1, "occurred_at": utcnow()}
    part = PublishedPart(index=0, platform_post_id="1800000000000000001", url="https://x.com/i/web/status/1")
    early = [
        encode(PostDispatched(platform=X, attempt=1, due_at=utcnow(), **common), source="/herald/scheduler"),
        encode(
            PostPublished(platform=X, attempt=1, parts=(part,), **common), source="/herald/publisher-twitter"
        ),
    ]
    requested = PostRequested(
        post_id=post_id,
        business_id=1,
        targets=(
            PostTarget(platform=X, content="from an internal service"),
            PostTarget(platform=Platform.LINKEDIN, content="from an internal service"),
        ),
        requested_at=utcnow(),
    )
    producer = Producer(kafka_bootstrap, "early-lifecycle-test")
    await producer.start()
    conn = await asyncpg.connect(fresh_database, server_settings={"search_path": "gateway"})
    try:
        async with gateway_factory():
            await producer.send_all(early)
            # Read before the post exists: kept, in order (the sync point: both are parked).
            parked = "SELECT count(*) FROM pending_lifecycle WHERE post_id = $1"
            assert await until(conn, parked, post_id, 2) == 2
            assert await conn.fetchval("SELECT count(*) FROM posts WHERE id = $1", post_id) == 0

            await producer.send_all([encode(requested, source="/herald/some-internal-service")])
            x_status = "SELECT status FROM post_targets WHERE post_id = $1 AND platform = 'twitter'"
            assert await until(conn, x_status, post_id, "published") == "published"

            target = await conn.fetchrow(
                "SELECT attempts, parts, parts_planned FROM post_targets WHERE post_id = $1 AND platform = 'twitter'",
                post_id,
            )
            assert target["attempts"] == 1 and target["parts_planned"] == 1
            assert "1800000000000000001" in target["parts"]
            linkedin = await conn.fetchval(
                "SELECT status FROM post_targets WHERE post_id = $1 AND platform = 'linkedin'", post_id
            )
            assert linkedin == "publishing"  # untouched: its own events have not come
            assert await conn.fetchval(parked, post_id) == 0
            # The live stream heard of it too, in the order the events happened.
            changes = await conn.fetch(
                "SELECT platform_status, event_type FROM status_changes WHERE post_id = $1 ORDER BY id",
                post_id,
            )
            assert [c["platform_status"] for c in changes] == ["publishing", "published"]
    finally:
        await conn.close()
        await producer.stop()


async def test_events_parked_for_a_day_expire(
    gateway_factory: Callable[..., Any], fresh_database: str, kafka_bootstrap: str
) -> None:
    stale, fresh = str(uuid.uuid4()), str(uuid.uuid4())
    producer = Producer(kafka_bootstrap, "early-lifecycle-test")
    await producer.start()
    conn = await asyncpg.connect(fresh_database, server_settings={"search_path": "gateway"})
    try:
        async with gateway_factory():
            await conn.execute(
                "INSERT INTO pending_lifecycle (event_id, post_id, event_type, data, received_at)"
                " VALUES ($1, $2, 'com.herald.post.dispatched.v1', '{}', now() - interval '25 hours')",
                f"old#{stale}",
                stale,
            )
            # Batches look for expired rows at most once a minute; this one parks a fresh event.
            event = PostDispatched(
                platform=X, attempt=1, due_at=utcnow(), post_id=fresh, business_id=1, occurred_at=utcnow()
            )
            await producer.send_all([encode(event, source="/herald/scheduler")])
            parked = "SELECT count(*) FROM pending_lifecycle WHERE post_id = $1"
            assert await until(conn, parked, fresh, 1) == 1
            # Expired by this batch, or within a minute if an earlier batch (a leftover) just looked.
            assert await until(conn, parked, stale, 0, seconds=90) == 0
    finally:
        await conn.close()
        await producer.stop()

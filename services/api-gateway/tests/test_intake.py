"""Posts produced straight to Kafka by internal services reach the status store; the gateway's own
post.requested events (committed with their post row) are skipped without touching the database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from herald_common.events import PostRequested, PostTarget, encode, topics, utcnow
from herald_common.kafka.producer import Producer
from herald_common.kafka.topics_admin import ensure_topics
from herald_common.platforms import Platform
from herald_common.testing import start_groups_at_end
from herald_gateway.posts.service import SOURCE
from herald_gateway.status.handlers import INTAKE_GROUP

pytestmark = pytest.mark.infra


def request(post_id: str, source: str) -> Any:
    event = PostRequested(
        post_id=post_id,
        business_id=1,
        targets=(PostTarget(platform=Platform.LINKEDIN, content="from an internal service"),),
        requested_at=utcnow(),
    )
    return encode(event, source=source, event_id=f"requested:{post_id}")


async def origin_of(dsn: str, post_id: str) -> str | None:
    conn = await asyncpg.connect(dsn)
    try:
        origin: str | None = await conn.fetchval("SELECT origin FROM gateway.posts WHERE id = $1", post_id)
        return origin
    finally:
        await conn.close()


async def intake_from_the_end(bootstrap: str) -> None:
    """The intake group starts where the topic ends now: what earlier tests produced (a bulk upload
    leaves thousands of the gateway's own records) is no backlog this test must wait through."""
    await ensure_topics(bootstrap, partitions=6)
    await start_groups_at_end(bootstrap, [INTAKE_GROUP], topics.POST_REQUESTS)


async def test_only_posts_produced_by_others_are_recorded(
    gateway_factory: Callable[..., Any], fresh_database: str, kafka_bootstrap: str
) -> None:
    own, foreign = str(uuid.uuid4()), str(uuid.uuid4())
    # The gateway's own event for a post it has no row for (it cannot happen in service): were it
    # not skipped, the intake would insert it. Keyed like the foreign one: same partition, read first.
    own_record = replace(request(own, SOURCE), key=foreign.encode())
    await intake_from_the_end(kafka_bootstrap)
    producer = Producer(kafka_bootstrap, "intake-test")
    await producer.start()
    try:
        async with gateway_factory():
            await producer.send_all([own_record, request(foreign, "/herald/some-internal-service")])
            async with asyncio.timeout(30):
                while await origin_of(fresh_database, foreign) is None:
                    await asyncio.sleep(0.1)
    finally:
        await producer.stop()
    assert await origin_of(fresh_database, foreign) == "kafka"
    assert await origin_of(fresh_database, own) is None  # read before the foreign one, and skipped

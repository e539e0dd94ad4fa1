"""An accepted post's event reaches Kafka once committed: produced right away, or by the relay's
sweep when that produce failed (the crash-between-commit-and-produce case), with the same id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from redis.asyncio import Redis

from herald_common.events import topics
from herald_common.kafka.producer import Producer
from herald_common.kafka.topics_admin import ensure_topics, topic_partitions
from herald_common.runtime import migrate
from herald_common.settings import HeraldSettings
from herald_gateway.auth.caller import Caller
from herald_gateway.main import MIGRATIONS, SCHEMA
from herald_gateway.outbox import DirectProducer, OutboxRelay
from herald_gateway.posts.endpoints import create_post
from herald_gateway.posts.schemas import PublishRequest
from herald_gateway.posts.service import PostsService
from herald_gateway.settings import Settings

pytestmark = pytest.mark.infra


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(HeraldSettings(database_url=fresh_database), SCHEMA, MIGRATIONS)
    async with asyncpg.create_pool(fresh_database, server_settings={"search_path": SCHEMA}) as p:
        yield p


class RequestsTail:
    """Reads POST_REQUESTS from its current end: the records produced after it started."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)

    async def __aenter__(self) -> RequestsTail:
        await ensure_topics(self.bootstrap, HeraldSettings().kafka_topic_partitions)
        parts = await topic_partitions(self.bootstrap, topics.POST_REQUESTS)
        await self.consumer.start()
        self.consumer.assign(parts)
        for tp, offset in (await self.consumer.end_offsets(parts)).items():
            self.consumer.seek(tp, offset)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def records_of(
        self, post_id: str, *, at_least: int = 1, timeout: float = 20
    ) -> list[ConsumerRecord]:
        found: list[ConsumerRecord] = []
        async with asyncio.timeout(timeout):
            while len(found) < at_least:
                batch = await self.consumer.getmany(timeout_ms=200)
                found += [r for recs in batch.values() for r in recs if r.key == post_id.encode()]
        return found


def ce_id(record: ConsumerRecord) -> str:
    return dict(record.headers)["ce_id"].decode()


async def outbox_rows(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM outbox")
    return count


async def wait_for(check: Callable[[], Any], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.05)


def service(pool: asyncpg.Pool, redis_url: str, direct: DirectProducer) -> PostsService:
    return PostsService(pool, Redis.from_url(redis_url), Settings(), direct)


async def publish(posts: PostsService) -> str:
    created = await create_post(
        posts,
        posts.pool,
        Caller("user-1", frozenset({1})),
        PublishRequest.model_validate({"content": "outbox test", "platforms": ["twitter"]}),
        path="/api/v2/publish",
        idempotency_key=None,
    )
    assert created.status_code == 202
    post_id: str = created.body["id"]
    return post_id


async def test_an_accepted_post_is_produced_at_once_and_its_row_deleted(
    pool: asyncpg.Pool, fresh_database: str, redis_url: str, kafka_bootstrap: str
) -> None:
    producer = Producer(kafka_bootstrap, "outbox-test")
    await producer.start()
    direct = DirectProducer(fresh_database, SCHEMA, producer, wait_seconds=10, flush_every=0.05)
    direct.start()
    try:
        async with RequestsTail(kafka_bootstrap) as tail:
            post_id = await publish(service(pool, redis_url, direct))
            # No relay runs in this test: the event can only have come from the direct produce.
            (record,) = await tail.records_of(post_id)
        assert ce_id(record) == f"requested:{post_id}"
        await wait_for(lambda: _no_rows(pool))
    finally:
        await direct.stop()
        await producer.stop()


async def _no_rows(pool: asyncpg.Pool) -> bool:
    return await outbox_rows(pool) == 0


async def test_a_failed_direct_produce_is_left_to_the_relay_with_the_same_event_id(
    pool: asyncpg.Pool, fresh_database: str, redis_url: str, kafka_bootstrap: str
) -> None:
    # The direct produce fails for real: its producer has been closed (as after a crash between
    # the commit and the produce, the committed row is all that is left).
    closed = Producer(kafka_bootstrap, "outbox-test-closed")
    await closed.start()
    await closed.stop()
    direct = DirectProducer(fresh_database, SCHEMA, closed, wait_seconds=2)
    posts = service(pool, redis_url, direct)
    post_id = await publish(posts)
    assert await outbox_rows(pool) == 1  # accepted and durable, not produced

    live = Producer(kafka_bootstrap, "outbox-test-relay")
    await live.start()
    relay = OutboxRelay(fresh_database, SCHEMA, live, batch_size=100, fallback_poll=0.1, sweep_after=0.5)
    try:
        async with RequestsTail(kafka_bootstrap) as tail:
            relay.start()
            (record,) = await tail.records_of(post_id)
        assert ce_id(record) == f"requested:{post_id}"
        await wait_for(lambda: _no_rows(pool))
    finally:
        await relay.stop()
        await live.stop()


async def test_the_relay_leaves_young_rows_to_their_direct_produce(
    pool: asyncpg.Pool, fresh_database: str, redis_url: str, kafka_bootstrap: str
) -> None:
    closed = Producer(kafka_bootstrap, "outbox-test-closed")
    await closed.start()
    await closed.stop()
    post_id = await publish(
        service(pool, redis_url, DirectProducer(fresh_database, SCHEMA, closed, wait_seconds=2))
    )
    live = Producer(kafka_bootstrap, "outbox-test-relay")
    await live.start()
    relay = OutboxRelay(fresh_database, SCHEMA, live, batch_size=100, fallback_poll=0.1, sweep_after=600)
    conn = await asyncpg.connect(fresh_database, server_settings={"search_path": SCHEMA})
    try:
        assert await relay.relay_batch(conn) == 0  # younger than sweep_after: not the relay's yet
        async with RequestsTail(kafka_bootstrap) as tail:
            # Woken by a NOTIFY (a cancel), the relay sends everything, in id order.
            assert await relay.relay_batch(conn, everything=True) == 1
            (record,) = await tail.records_of(post_id)
        assert ce_id(record) == f"requested:{post_id}"
        assert await outbox_rows(pool) == 0
    finally:
        await conn.close()
        await live.stop()

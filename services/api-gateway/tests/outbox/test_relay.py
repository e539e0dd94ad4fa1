"""The outbox relay on the real PostgreSQL and Kafka: old rows swept in id order with their stored
event ids, young rows left to their direct produce unless a NOTIFY wakes the relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from herald_common.kafka.producer import Producer
from herald_common.testing import new_topic
from herald_gateway.main import SCHEMA
from herald_gateway.outbox import OUTBOX_CHANNEL, OutboxRelay

pytestmark = pytest.mark.infra


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    """A topic of one partition for this test alone, so the order read back is the produce order."""
    return await new_topic(kafka_bootstrap, "herald.test.outbox")


async def read_back(bootstrap: str, topic: str, count: int, timeout: float = 20) -> list[ConsumerRecord]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek(tp, 0)
        found: list[ConsumerRecord] = []
        async with asyncio.timeout(timeout):
            while len(found) < count:
                batch = await consumer.getmany(tp, timeout_ms=200)
                found += batch.get(tp, [])
        return found
    finally:
        await consumer.stop()


async def add_rows(pool: asyncpg.Pool, topic: str, ids: list[str], *, age_seconds: float = 0) -> None:
    """Outbox rows as the accept path writes them, `age_seconds` old; one key, so one partition."""
    for event_id in ids:
        headers = {"ce_id": event_id, "ce_type": "com.herald.test.v1"}
        await pool.execute(
            "INSERT INTO outbox (topic, key, value, headers, created_at)"
            " VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5))",
            topic,
            b"post-1",
            event_id.encode(),
            orjson.dumps(headers).decode(),
            age_seconds,
        )


def ce_id(record: ConsumerRecord) -> str:
    return dict(record.headers)["ce_id"].decode()


async def rows_left(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM outbox")
    return count


@pytest.fixture
async def relay_conn(fresh_database: str, gateway_pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(fresh_database, server_settings={"search_path": SCHEMA})
    yield conn
    await conn.close()


async def test_old_rows_are_swept_in_id_order_with_their_stored_event_ids(
    gateway_pool: asyncpg.Pool,
    relay_conn: asyncpg.Connection,
    fresh_database: str,
    kafka_bootstrap: str,
    topic: str,
) -> None:
    ids = [f"evt-{n}" for n in range(5)]
    await add_rows(gateway_pool, topic, ids, age_seconds=60)
    producer = Producer(kafka_bootstrap, "outbox-relay-test")
    await producer.start()
    try:
        relay = OutboxRelay(fresh_database, SCHEMA, producer, batch_size=3, fallback_poll=60, sweep_after=1)
        assert await relay.relay_batch(relay_conn) == 3  # a batch is at most batch_size rows
        assert await relay.relay_batch(relay_conn) == 2
        assert await relay.relay_batch(relay_conn) == 0
        records = await read_back(kafka_bootstrap, topic, 5)
    finally:
        await producer.stop()
    assert [ce_id(r) for r in records] == ids
    assert [r.value for r in records] == [i.encode() for i in ids]
    assert await rows_left(gateway_pool) == 0


async def test_a_young_row_waits_for_its_direct_produce_unless_the_relay_is_woken(
    gateway_pool: asyncpg.Pool,
    fresh_database: str,
    kafka_bootstrap: str,
    topic: str,
) -> None:
    producer = Producer(kafka_bootstrap, "outbox-relay-test")
    await producer.start()
    relay = OutboxRelay(
        fresh_database, SCHEMA, producer, batch_size=100, fallback_poll=3600, sweep_after=3600
    )
    try:
        await add_rows(gateway_pool, topic, ["young"])
        async with gateway_pool.acquire() as conn:
            assert await relay.relay_batch(conn) == 0  # younger than sweep_after: left alone
        assert await rows_left(gateway_pool) == 1

        relay.start()
        async with asyncio.timeout(10):
            while not relay.is_leader:
                await asyncio.sleep(0.02)
        # The running relay polls only every hour: just the NOTIFY can make it send the young row now.
        # Its listener is registered after it became leader; notify until the row is gone.
        async with asyncio.timeout(10):
            while await rows_left(gateway_pool):
                await gateway_pool.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)
                await asyncio.sleep(0.1)
        (record,) = await read_back(kafka_bootstrap, topic, 1)
        assert ce_id(record) == "young"
    finally:
        await relay.stop()
        await producer.stop()

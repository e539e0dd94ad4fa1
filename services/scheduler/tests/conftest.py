"""Fixtures for the scheduler's tests: its settings on a fresh database and a private consumer group,
a watcher of the topics it produces to, a producer of requests, and a running app or engine."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager

from herald_common.background import BackgroundLoop
from herald_common.events import (
    Envelope,
    Event,
    PostRequested,
    PostTarget,
    decode,
    encode,
    topics,
    utcnow,
)
from herald_common.kafka.topics_admin import ensure_topics
from herald_common.platforms import Platform
from herald_common.runtime import migrate
from herald_common.testing import unique
from herald_scheduler.emitter import REPLICA_HEADER, Emitter
from herald_scheduler.engine import Engine
from herald_scheduler.main import MIGRATIONS, SCHEMA, build_engine, create_app
from herald_scheduler.settings import Settings


@dataclass(frozen=True)
class Seen:
    topic: str
    received: float
    envelope: Envelope[Any] | None
    headers: dict[str, bytes]
    value: bytes | None


async def partitions(bootstrap: str, names: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]


class Watcher:
    """Reads the due, lifecycle and dead-letter topics from where they ended when the test began."""

    TOPICS = (*(topics.post_due_topic(p) for p in Platform), topics.POST_LIFECYCLE, topics.DEAD_LETTER)

    def __init__(self, bootstrap: str, replica_prefix: str) -> None:
        self.seen: list[Seen] = []
        self._bootstrap = bootstrap
        # Only what this test's replicas produced: a `make dev` stack on the same Kafka runs a scheduler too.
        self._prefix = replica_prefix.encode()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20
        )
        self._loop = BackgroundLoop(self._run, name="watcher")

    async def start(self) -> None:
        await self._consumer.start()
        parts = await partitions(self._bootstrap, list(self.TOPICS))
        self._consumer.assign(parts)
        for tp, offset in (await self._consumer.end_offsets(parts)).items():
            self._consumer.seek(tp, offset)
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self._consumer.stop()

    async def _run(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=100)
            now = time.time()
            for records in batch.values():
                for r in records:
                    try:
                        envelope: Envelope[Any] | None = decode(r.value, r.headers)
                    except Exception:
                        envelope = None
                    headers = dict(r.headers)
                    if r.topic == topics.DEAD_LETTER or headers.get(REPLICA_HEADER, b"").startswith(
                        self._prefix
                    ):
                        self.seen.append(Seen(r.topic, now, envelope, headers, r.value))

    def due(self, post_id: str) -> list[Seen]:
        return [
            s
            for s in self.seen
            if s.topic.startswith("herald.post.due.") and s.envelope and s.envelope.data.post_id == post_id
        ]

    def lifecycle(self, post_id: str, kind: type[Event] | None = None) -> list[Any]:
        return [
            s.envelope.data
            for s in self.seen
            if s.topic == topics.POST_LIFECYCLE
            and s.envelope
            and s.envelope.data.post_id == post_id
            and (kind is None or isinstance(s.envelope.data, kind))
        ]

    def dead_letters(self, key: bytes) -> list[Seen]:
        return [
            s
            for s in self.seen
            if s.topic == topics.DEAD_LETTER
            and s.headers.get("herald_dlq_topic") == topics.POST_REQUESTS.encode()
            and s.value is not None
            and key in s.value
        ]


class Requests:
    """Produces onto POST_REQUESTS as the gateway and the publishers would."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")

    async def send(self, event: Event, event_id: str | None = None) -> None:
        record = encode(event, source="/herald/tests", event_id=event_id)
        await self.send_raw(record.value, record.key, {k: v.encode() for k, v in record.headers.items()})

    async def send_raw(self, value: bytes, key: bytes, headers: dict[str, bytes]) -> None:
        await self._producer.send_and_wait(
            topics.POST_REQUESTS, value, key=key, headers=list(headers.items())
        )

    async def send_result(self, event: Event) -> None:
        """A result on the lifecycle topic, as a publisher says it."""
        record = encode(event, source="/herald/publisher-test")
        await self._producer.send_and_wait(
            record.topic,
            record.value,
            key=record.key,
            headers=[(k, v.encode()) for k, v in record.headers.items()],
        )


def post(post_id: str, *platforms: Platform, at: datetime | None = None, **kw: Any) -> PostRequested:
    return PostRequested(
        post_id=post_id,
        business_id=7,
        requested_at=utcnow(),
        scheduled_for=at,
        targets=tuple(
            PostTarget(platform=p, content=f"hello {p.value}") for p in platforms or (Platform.TWITTER,)
        ),
        **kw,
    )


def in_seconds(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)


async def _commit_at_end(bootstrap: str, group: str, topic: str = topics.POST_REQUESTS) -> None:
    """A new group would start at `earliest` and replay every record ever produced: start it at the end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = await partitions(bootstrap, [topic])
        consumer.assign(parts)
        await consumer.commit(dict(await consumer.end_offsets(parts)))
    finally:
        await consumer.stop()


@pytest.fixture
async def settings(fresh_database: str, kafka_bootstrap: str) -> Settings:
    await ensure_topics(kafka_bootstrap, partitions=6)
    group, results_group = unique("scheduler-test"), unique("scheduler-results-test")
    await _commit_at_end(kafka_bootstrap, group)
    await _commit_at_end(kafka_bootstrap, results_group, topics.POST_LIFECYCLE)
    return Settings(
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        scheduler_consumer_group=group,
        scheduler_results_consumer_group=results_group,
        scheduler_owner_id=unique("test-replica"),
        scheduler_sweep_interval_seconds=0.25,
        scheduler_pending_gauge_interval_seconds=1.0,
        shutdown_grace_seconds=5.0,
    )


@pytest.fixture
async def watcher(kafka_bootstrap: str, settings: Settings) -> AsyncIterator[Watcher]:
    assert settings.scheduler_owner_id
    w = Watcher(kafka_bootstrap, settings.scheduler_owner_id)
    await w.start()
    yield w
    await w.stop()


@pytest.fixture
async def requests(kafka_bootstrap: str) -> AsyncIterator[Requests]:
    r = Requests(kafka_bootstrap)
    await r._producer.start()
    yield r
    await r._producer.stop()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=30):
        yield application


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    await migrate(settings, SCHEMA, MIGRATIONS)
    p = await asyncpg.create_pool(
        settings.database_url, min_size=1, max_size=10, server_settings={"search_path": SCHEMA}
    )
    yield p
    await p.close()


EngineFactory = Callable[[str], AbstractAsyncContextManager[Engine]]


@pytest.fixture
def engine_factory(settings: Settings, pool: asyncpg.Pool) -> EngineFactory:
    """Engines (replicas) without a consumer, on the test's database, each with its own owner id."""

    @asynccontextmanager
    async def make(name: str) -> AsyncIterator[Engine]:
        owner = f"{settings.scheduler_owner_id}-{name}"
        emitter = Emitter(settings.kafka_bootstrap_servers, owner)
        await emitter.start()
        engine = build_engine(settings, pool, emitter, owner)
        await engine.start()
        try:
            yield engine
        finally:
            await engine.stop()
            await emitter.stop()

    return make

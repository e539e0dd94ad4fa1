"""Helpers for the publishers' tests: the real producer with its records read back from Kafka, a
ledger on a fresh database, due events and part requests. Imported by tests only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, cast

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.structs import RecordMetadata

from herald_common.db.pool import create_pool
from herald_common.events import Envelope, Event, PostDue, PostTarget, decode, topics, utcnow
from herald_common.events.envelope import KafkaRecord
from herald_common.kafka.producer import Producer
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, AccountResolver
from herald_common.publishing.app import MIGRATIONS
from herald_common.publishing.client import PartRequest, PlatformClient
from herald_common.publishing.outcomes import CreatedObject
from herald_common.publishing.service import PublishService
from herald_common.publishing.settings import PublisherSettings
from herald_common.runtime import migrate
from herald_common.settings import HeraldSettings

SCHEMA = "publisher_tests"


class KafkaTap:
    """The real producer, and the records it produced read back from the broker.

    `send_all` sends through the real `Producer` (PublishService calls it); where each record landed
    (partition and offset, from the broker's acknowledgement) is remembered, and `records` fetches
    exactly those records back, in the order they were sent. Other tests producing to the same topics
    at the same time cannot get in the way."""

    def __init__(self, producer: Producer, bootstrap: str) -> None:
        self.producer, self.bootstrap = producer, bootstrap
        self._acks: list[asyncio.Future[RecordMetadata]] = []

    async def send_all(self, records: Sequence[KafkaRecord]) -> None:
        acks = [await self.producer.send(r) for r in records]
        self._acks.extend(acks)
        await asyncio.gather(*acks)

    async def records(self, timeout: float = 10.0) -> list[ConsumerRecord]:
        """Every record sent so far, read back from its topic, in send order."""
        where = [(TopicPartition(m.topic, m.partition), m.offset) for m in await asyncio.gather(*self._acks)]
        if not where:
            return []
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(list({tp for tp, _ in where}))
            for tp in {tp for tp, _ in where}:
                consumer.seek(tp, min(offset for p, offset in where if p == tp))
            found: dict[tuple[TopicPartition, int], ConsumerRecord] = {}
            async with asyncio.timeout(timeout):
                while len(found) < len(where):
                    for tp, batch in (await consumer.getmany(timeout_ms=200)).items():
                        found.update({(tp, r.offset): r for r in batch})
        finally:
            await consumer.stop()
        return [found[w] for w in where]

    async def envelopes(self) -> list[Envelope[Event]]:
        """The events produced (dead-lettered records left out), decoded from what the broker holds."""
        return [decode(r.value, r.headers) for r in await self.records() if r.topic != topics.DEAD_LETTER]

    async def events(self) -> list[Event]:
        return [envelope.data for envelope in await self.envelopes()]

    async def last(self) -> Event:
        return (await self.events())[-1]


@asynccontextmanager
async def ledger_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """The publish ledger migrated into `database_url`, and a pool on it."""
    await migrate(
        HeraldSettings(service_name="publisher-tests", database_url=database_url), SCHEMA, MIGRATIONS
    )
    pool = await create_pool(database_url, schema=SCHEMA, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def due_event(platform: Platform, content: str, attempt: int = 1, **target: Any) -> PostDue:
    now = utcnow()
    return PostDue(
        post_id=str(uuid.uuid4()),
        business_id=1,
        target=PostTarget(platform=platform, content=content, **target),
        attempt=attempt,
        scheduled_for=now - timedelta(seconds=1),
        due_at=now,
    )


def part_request(
    account: Account,
    text: str,
    *,
    media_urls: Sequence[str] = (),
    kind: str = "post",
    parent: CreatedObject | None = None,
    root: CreatedObject | None = None,
    index: int = 0,
) -> PartRequest:
    return PartRequest(
        post_id=str(uuid.uuid4()),
        business_id=1,
        target=PostTarget(platform=account.platform, content=text, media_urls=tuple(media_urls)),
        index=index,
        text=text,
        media_urls=tuple(media_urls),
        parent=parent,
        root=root,
        account=account,
        kind=kind,
    )


class FixedAccounts:
    """A resolver with one account per platform that counts refreshes; `fresh` is what a refresh
    gives back (None: the token cannot be refreshed)."""

    def __init__(self, *accounts: Account, fresh: Account | None = None) -> None:
        self.accounts = {a.platform: a for a in accounts}
        self.fresh = fresh
        self.refreshes: list[Account] = []

    async def resolve(self, business_id: int, platform: Platform, account_id: str | None) -> Account:
        return self.accounts[platform]

    async def refreshed(self, account: Account) -> Account | None:
        self.refreshes.append(account)
        return self.fresh


def publish_service(
    pool: asyncpg.Pool,
    clients: Mapping[Platform, PlatformClient],
    accounts: AccountResolver,
    kafka: KafkaTap,
    **settings: Any,
) -> tuple[PublishService, KafkaTap]:
    service = PublishService(
        pool,
        cast(Producer, kafka),
        clients,
        PublisherSettings(service_name="publisher-tests", **settings),
        accounts,
    )
    return service, kafka

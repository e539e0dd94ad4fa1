"""Helpers for the publishers' tests: a producer that records, a ledger on a fresh database, due
events and part requests. Imported by tests only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg

from herald_common.db.pool import create_pool
from herald_common.events import Event, PostDue, PostTarget, decode, topics, utcnow
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


class RecordingProducer:
    """Stands in for AIOKafkaProducer: keeps every record sent."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]] = []

    async def send(
        self, topic: str, value: bytes, key: bytes | None = None, headers: Sequence[tuple[str, bytes]] = ()
    ) -> asyncio.Future[None]:
        self.records.append((topic, key, value, list(headers)))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def events(self) -> list[Event]:
        return [
            decode(value, headers).data
            for topic, _, value, headers in self.records
            if topic != topics.DEAD_LETTER
        ]

    def last(self) -> Event:
        return self.events()[-1]


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
    pool: asyncpg.Pool, clients: Mapping[Platform, PlatformClient], accounts: AccountResolver, **settings: Any
) -> tuple[PublishService, RecordingProducer]:
    producer = RecordingProducer()
    service = PublishService(
        pool,
        producer,
        clients,
        PublisherSettings(service_name="publisher-tests", **settings),
        accounts,
    )
    return service, producer

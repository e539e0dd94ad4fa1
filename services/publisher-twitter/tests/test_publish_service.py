"""PublishService with the X client, the real ledger (PostgreSQL), Redis budgets and the emulator."""

from __future__ import annotations

import itertools

import httpx
import pytest
from redis.asyncio import Redis

from herald_common.db.pool import connect
from herald_common.events import PostPublished, PostPublishFailed, PostRetryRequested, topics, utcnow
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.budget import Budgets
from herald_common.publishing.testing import (
    FixedAccounts,
    KafkaTap,
    due_event,
    ledger_pool,
    part_request,
    publish_service,
)
from herald_emulator.testing import created
from herald_publisher_twitter.client import XClient
from herald_publisher_twitter.settings import Settings

pytestmark = pytest.mark.infra

USER = Account(Platform.TWITTER, "", "dev-x")
LONG = " ".join(f"word{i:03d}" for i in range(120))


async def fault(emulator: httpx.AsyncClient, **rule: object) -> None:
    (await emulator.post("/_emulator/faults", json={"platform": "twitter", **rule})).raise_for_status()


async def test_a_dropped_answer_is_reconciled_and_the_thread_goes_on_from_it(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    # The thread's first tweet is created but its answer never arrives.
    await fault(emulator, kind="drop_after_create", endpoint="create_tweet", count=1)
    due = due_event(Platform.TWITTER, LONG)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due, "e1")
        retry = await producer.last()
        assert isinstance(retry, PostRetryRequested) and "504" in retry.reason
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    published = await producer.last()
    assert isinstance(published, PostPublished)
    # Read back from the broker: the retry request, then the result, each keyed by the post and
    # with an id of its own (source + id is the consumers' dedupe key).
    records = await producer.records()
    assert [(r.topic, r.key) for r in records] == [
        (topics.POST_REQUESTS, due.post_id.encode()),
        (topics.POST_LIFECYCLE, due.post_id.encode()),
    ]
    ids = [e.id for e in await producer.envelopes()]
    assert len(set(ids)) == 2
    tweets = await created(emulator, "twitter")
    assert [p.platform_post_id for p in published.parts] == [t["id"] for t in tweets]
    for previous, tweet in itertools.pairwise(tweets):
        assert tweet["in_reply_to"] == previous["id"]


async def test_duplicate_403_of_our_own_earlier_tweet_is_reconciled(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    earlier = await client.publish(part_request(USER, "posted by a lost attempt"))
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due_event(Platform.TWITTER, "posted by a lost attempt"), "e1")
    published = await producer.last()
    assert isinstance(published, PostPublished)
    assert published.parts[0].platform_post_id == earlier.platform_post_id
    assert len(await created(emulator, "twitter")) == 1


async def test_expired_token_refresh_refused_fails_with_reauth(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await fault(emulator, kind="expired_token")
    accounts = FixedAccounts(USER)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, accounts, kafka_tap)
        await service.handle(due_event(Platform.TWITTER, "hi"), "e1")
    failed = await producer.last()
    assert isinstance(failed, PostPublishFailed) and failed.reauth_required and failed.error_code == "401"
    assert len(accounts.refreshes) == 1


async def test_after_a_429_the_account_holds_back_without_calling_until_the_reset(
    fresh_database: str, redis_url: str, emulator: httpx.AsyncClient, settings: Settings, kafka_tap: KafkaTap
) -> None:
    redis = Redis.from_url(redis_url)
    account = Account(Platform.TWITTER, f"budget-{utcnow().timestamp()}", "dev-x")
    client = XClient(emulator, settings, Budgets(redis))
    try:
        await fault(emulator, kind="rate_limit", reset_in_s=90, count=1)
        async with ledger_pool(fresh_database) as pool:
            service, producer = publish_service(
                pool, {Platform.TWITTER: client}, FixedAccounts(account), kafka_tap
            )
            await service.handle(due_event(Platform.TWITTER, "first"), "e1")
            calls_before = (await emulator.get("/_emulator/calls")).json()["count"]
            await service.handle(due_event(Platform.TWITTER, "second"), "e2")
            assert (await emulator.get("/_emulator/calls")).json()["count"] == calls_before, "held back"
        first, second = await producer.events()
        for retry in (first, second):
            assert isinstance(retry, PostRetryRequested)
            wait = (retry.not_before - utcnow()).total_seconds()
            assert 80 < wait <= 91, wait
        assert "holding back" in second.reason
    finally:
        await redis.aclose()


async def test_the_post_is_free_for_the_next_worker_once_a_due_event_is_handled(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    """The advisory lock goes with the pooled connection: another session (another replica) can
    take it as soon as a due event is done, whether it published or asked for a retry."""
    await fault(emulator, kind="status", status=503, endpoint="create_tweet", count=1)
    retried, published = due_event(Platform.TWITTER, "first try fails"), due_event(Platform.TWITTER, "ok")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        other = await connect(fresh_database)
        try:
            for due, outcome in ((retried, PostRetryRequested), (published, PostPublished)):
                await service.handle(due, "e1")
                assert isinstance(await producer.last(), outcome)
                key = f"{due.post_id}/twitter"
                assert await other.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key)
                await other.execute("SELECT pg_advisory_unlock_all()")
        finally:
            await other.close()

"""A lost answer followed by more than a page of the user's tweets: reconciliation pages the
timeline back to the lost call's start and finds the tweet, so it is never posted twice."""

from __future__ import annotations

import httpx
import pytest

from herald_common.events import PostPublished, PostRetryRequested
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import X_HEADERS, created
from herald_publisher_twitter.client import XClient

pytestmark = pytest.mark.infra

USER = Account(Platform.TWITTER, "", "dev-x")
LATER_TWEETS = 130  # more than one page of the timeline (100)


async def lose_the_next_create(emulator: httpx.AsyncClient) -> None:
    """The next tweet is created, but its answer is lost (no rate limits, no duplicate check)."""
    await emulator.post(
        "/_emulator/config", json={"rate_limits_enabled": False, "twitter": {"duplicate_window_s": 0}}
    )
    await emulator.post(
        "/_emulator/faults",
        json={"platform": "twitter", "kind": "drop_after_create", "endpoint": "create_tweet", "count": 1},
    )


async def bury_under_newer_tweets(emulator: httpx.AsyncClient) -> None:
    for index in range(LATER_TWEETS):
        response = await emulator.post("/2/tweets", json={"text": f"newer {index}"}, headers=X_HEADERS)
        assert response.status_code == 201, response.text


async def test_lost_answer_then_more_than_a_page_of_tweets_is_found_not_reposted(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await lose_the_next_create(emulator)
    due = due_event(Platform.TWITTER, "Lost, then buried under newer tweets")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due, "e1")
        assert isinstance(await producer.last(), PostRetryRequested)
        await bury_under_newer_tweets(emulator)
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    published = await producer.last()
    ours = [t for t in await created(emulator, "twitter") if t["text"] == due.target.content]
    assert len(ours) == 1
    assert isinstance(published, PostPublished)
    assert published.parts[0].platform_post_id == ours[0]["id"]


async def test_a_search_that_cannot_reach_the_lost_call_retries_instead_of_posting(
    fresh_database: str,
    client: XClient,
    emulator: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    kafka_tap: KafkaTap,
) -> None:
    monkeypatch.setattr("herald_publisher_twitter.client.MAX_PAGES", 1)
    await lose_the_next_create(emulator)
    due = due_event(Platform.TWITTER, "Lost beyond the pages we may read")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due, "e1")
        await bury_under_newer_tweets(emulator)
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    retry = await producer.last()
    assert isinstance(retry, PostRetryRequested) and "could not confirm" in retry.reason
    assert [t["text"] for t in await created(emulator, "twitter")].count(due.target.content) == 1

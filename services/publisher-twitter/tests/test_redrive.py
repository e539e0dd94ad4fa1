"""The contract the scheduler's watchdog relies on: a due event re-driven with its original id after the
post was published (its result lost) does not post again, and says PostPublished again, with the same
parts, so the status store gets the result it missed."""

from __future__ import annotations

import httpx
import pytest

from herald_common.events import PostPublished, topics
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import created
from herald_publisher_twitter.client import XClient

pytestmark = pytest.mark.infra

USER = Account(Platform.TWITTER, "", "dev-x")
THREAD = " ".join(f"word{i:03d}" for i in range(120))


async def test_a_re_driven_due_event_after_publishing_re_emits_the_result_without_posting_again(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    due = due_event(Platform.TWITTER, THREAD)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due, f"due:{due.post_id}:twitter:1")
        first = await producer.last()
        tweets = await created(emulator, "twitter")
        await service.handle(due, f"due:{due.post_id}:twitter:1")  # the watchdog's re-drive
        again = await producer.last()
    assert isinstance(first, PostPublished) and isinstance(again, PostPublished)
    assert len(tweets) >= 2  # a thread: every part was published by the first delivery
    assert again.parts == first.parts
    assert again.attempt == first.attempt
    assert await created(emulator, "twitter") == tweets  # nothing posted a second time
    records = await producer.records()  # as the broker holds them: two results on the post's key
    assert [(r.topic, r.key) for r in records] == [(topics.POST_LIFECYCLE, due.post_id.encode())] * 2

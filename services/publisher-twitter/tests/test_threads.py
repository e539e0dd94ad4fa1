"""Threads that cannot be completed are reported as they stand, and a continuation X refuses as
a copy of an earlier tweet is sent again marked with its place in the thread."""

from __future__ import annotations

import httpx
import pytest

from herald_common.events import PostPartiallyPublished, PostPublished
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import created
from herald_publisher_twitter.client import XClient

pytestmark = pytest.mark.infra

USER = Account(Platform.TWITTER, "", "dev-x")


def paragraph(word: str, length: int) -> str:
    text = " ".join([word] * (length // (len(word) + 1) + 1))
    return text[:length].rstrip()


async def test_a_thread_refused_at_part_three_reports_the_two_live_parts(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    # X refuses anything over 200 from now on: parts 1 and 2 pass, part 3 (270) never will.
    await emulator.post("/_emulator/config", json={"twitter": {"max_weighted_length": 200}})
    content = "\n\n".join([paragraph("one", 150), paragraph("two", 150), paragraph("three", 270)])
    due = due_event(Platform.TWITTER, content)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due, "e1")
    partial = await producer.last()
    tweets = await created(emulator, "twitter")
    assert len(tweets) == 2
    assert isinstance(partial, PostPartiallyPublished)
    assert [(p.index, p.platform_post_id, p.url) for p in partial.parts] == [
        (0, tweets[0]["id"], tweets[0]["url"]),
        (1, tweets[1]["id"], tweets[1]["url"]),
    ]
    assert partial.planned_parts == 3
    assert partial.reason and not partial.reauth_required


async def test_a_continuation_repeating_an_earlier_tweet_is_marked_and_the_thread_completes(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    repeated = paragraph("again", 200)
    due = due_event(Platform.TWITTER, f"{repeated}\n\n{repeated}")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER), kafka_tap)
        await service.handle(due, "e1")
    published = await producer.last()
    first, second = await created(emulator, "twitter")
    assert isinstance(published, PostPublished)
    assert [p.platform_post_id for p in published.parts] == [first["id"], second["id"]]
    assert first["text"] == repeated
    assert second["text"] == f"{repeated} (2/2)"
    assert second["in_reply_to"] == first["id"]

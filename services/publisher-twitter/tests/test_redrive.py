"""The contract the scheduler's watchdog relies on: a due event re-driven with its original id after the
post was published (its result lost) does not post again, and says PostPublished again, with the same
parts, so the status store gets the result it missed."""

from __future__ import annotations

import httpx

from herald_common.events import PostPublished
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, due_event, ledger_pool, publish_service
from herald_emulator.testing import created
from herald_publisher_twitter.client import XClient

USER = Account(Platform.TWITTER, "", "dev-x")
THREAD = " ".join(f"word{i:03d}" for i in range(120))


async def test_a_re_driven_due_event_after_publishing_re_emits_the_result_without_posting_again(
    fresh_database: str, client: XClient, emulator: httpx.AsyncClient
) -> None:
    due = due_event(Platform.TWITTER, THREAD)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.TWITTER: client}, FixedAccounts(USER))
        await service.handle(due, f"due:{due.post_id}:twitter:1")
        first = producer.last()
        tweets = await created(emulator, "twitter")
        await service.handle(due, f"due:{due.post_id}:twitter:1")  # the watchdog's re-drive
        again = producer.last()
    assert isinstance(first, PostPublished) and isinstance(again, PostPublished)
    assert len(tweets) >= 2  # a thread: every part was published by the first delivery
    assert again.parts == first.parts
    assert again.attempt == first.attempt
    assert await created(emulator, "twitter") == tweets  # nothing posted a second time

"""What the Meta publisher's ledger tests share: the accounts, a lost answer, and the two attempts
around it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from herald_common.events import Event, PostDue, PostRetryRequested
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, ledger_pool, publish_service
from herald_emulator.testing import IG_USER_ID, PAGE_ID

PAGE = Account(Platform.FACEBOOK, PAGE_ID, "dev-meta-page")
IG = Account(Platform.INSTAGRAM, IG_USER_ID, "dev-meta-page")


async def lose_the_next_answer(emulator: httpx.AsyncClient, platform: str, endpoint: str) -> None:
    """The platform acts on the next call to `endpoint`, and its answer is lost."""
    await emulator.post(
        "/_emulator/faults",
        json={"platform": platform, "kind": "drop_after_create", "endpoint": endpoint, "count": 1},
    )


async def retried_after_the_lost_answer(
    database_url: str,
    client: Any,
    account: Account,
    kafka_tap: KafkaTap,
    due: PostDue,
    meanwhile: Callable[[], Awaitable[None]] | None = None,
) -> Event:
    """The first attempt loses its answer and asks for a retry; `meanwhile` runs; the second attempt
    answers what it found. Returns the second attempt's event."""
    async with ledger_pool(database_url) as pool:
        service, producer = publish_service(
            pool, {account.platform: client}, FixedAccounts(account), kafka_tap
        )
        await service.handle(due, "e1")
        assert isinstance(await producer.last(), PostRetryRequested)
        if meanwhile is not None:
            await meanwhile()
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    return await producer.last()

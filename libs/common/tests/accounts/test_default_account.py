"""Which connected account a post goes out under, against a real PostgreSQL: the named one, else
the business's default; a token refresh never changes it (it used to: "most recently updated")."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import asyncpg
import pytest

from herald_common.accounts.crypto import TokenCipher
from herald_common.accounts.model import TokenSet
from herald_common.accounts.store import AccountStore
from herald_common.accounts.wiring import MIGRATIONS, SCHEMA
from herald_common.db.migrations import apply_migrations
from herald_common.platforms import Platform

pytestmark = pytest.mark.infra
FB = Platform.FACEBOOK


@pytest.fixture
async def store(fresh_database: str) -> AsyncIterator[AccountStore]:
    pool = await asyncpg.create_pool(fresh_database, min_size=1, max_size=8)
    assert pool is not None
    async with pool.acquire() as conn:
        await apply_migrations(conn, SCHEMA, MIGRATIONS)
    yield AccountStore(pool, TokenCipher.from_setting("k1:" + base64.b64encode(b"k" * 32).decode()))
    await pool.close()


async def page(store: AccountStore, business_id: int, page_id: str) -> str:
    saved = await store.save(
        business_id=business_id,
        platform=FB,
        account_id=page_id,
        display_name=f"Page {page_id}",
        tokens=TokenSet(access_token=f"token-{page_id}"),
        connected_by="test",
    )
    return saved.id


async def publishing_page(store: AccountStore, business_id: int, named: str | None = None) -> str | None:
    found = await store.for_publishing(business_id, FB, named)
    return None if found is None else found.summary.account_id


async def test_the_first_page_is_the_default_and_a_refresh_does_not_change_it(store: AccountStore) -> None:
    first = await page(store, 5, "p1")
    second = await page(store, 5, "p2")
    async with store.locked(second) as (conn, _):  # the second page's token is refreshed last
        await store.replace_tokens(conn, second, TokenSet(access_token="fresh"))
    assert await publishing_page(store, 5) == "p1"
    listed = {a.id: a.is_default for a in await store.list([5])}
    assert listed == {first: True, second: False}
    assert await publishing_page(store, 5, "p2") == "p2", "a named page is used as named"
    assert await publishing_page(store, 5, "p3") is None, "an unknown page is never swapped for another"


async def test_choosing_a_default_moves_it_and_stays_within_the_business(store: AccountStore) -> None:
    await page(store, 5, "p1")
    second = await page(store, 5, "p2")
    theirs = await page(store, 6, "p9")
    assert await store.set_default(theirs, [5]) is None, "another business's page is not found"
    chosen = await store.set_default(second, [5])
    assert chosen is not None and chosen.is_default
    assert await publishing_page(store, 5) == "p2"
    assert await publishing_page(store, 6) == "p9", "the other business keeps its own default"
    assert [a.account_id for a in await store.list([5]) if a.is_default] == ["p2"]


async def test_disconnecting_the_default_hands_it_to_the_earliest_remaining(store: AccountStore) -> None:
    first = await page(store, 5, "p1")
    await page(store, 5, "p2")
    await page(store, 5, "p3")
    assert await store.disconnect(first, [5])
    assert await publishing_page(store, 5) == "p2"


async def test_concurrent_choices_leave_exactly_one_default(store: AccountStore) -> None:
    ids = [await page(store, 5, f"p{i}") for i in range(6)]
    await asyncio.gather(*(store.set_default(i, [5]) for i in ids * 3))
    defaults = [a for a in await store.list([5]) if a.is_default]
    assert len(defaults) == 1

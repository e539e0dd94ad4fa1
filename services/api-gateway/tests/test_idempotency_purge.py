"""Expired idempotency keys are purged on a schedule; live ones stay and still replay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from herald_common.runtime import migrate
from herald_common.settings import HeraldSettings
from herald_gateway.idempotency import ExpiredKeysPurge, purge_expired
from herald_gateway.main import MIGRATIONS, SCHEMA

pytestmark = pytest.mark.infra
TTL_HOURS = 24


@pytest.fixture
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(HeraldSettings(database_url=fresh_database), SCHEMA, MIGRATIONS)
    async with asyncpg.create_pool(fresh_database, server_settings={"search_path": SCHEMA}) as p:
        yield p


async def add_keys(pool: asyncpg.Pool, prefix: str, count: int, age_hours: float) -> None:
    await pool.executemany(
        "INSERT INTO idempotency_keys (business_id, key, request_hash, status_code, response, created_at)"
        " VALUES (1, $1, 'h', 202, '{}', now() - make_interval(secs => $2))",
        [(f"{prefix}-{i}", age_hours * 3600) for i in range(count)],
    )


async def keys(pool: asyncpg.Pool) -> set[str]:
    return {r["key"] for r in await pool.fetch("SELECT key FROM idempotency_keys")}


async def test_purge_deletes_only_expired_keys_in_batches(pool: asyncpg.Pool) -> None:
    await add_keys(pool, "old", 25, age_hours=TTL_HOURS + 1)
    await add_keys(pool, "live", 5, age_hours=TTL_HOURS - 1)

    assert await purge_expired(pool, TTL_HOURS, batch=10) == 25
    assert await keys(pool) == {f"live-{i}" for i in range(5)}
    assert await purge_expired(pool, TTL_HOURS, batch=10) == 0


async def test_the_loop_purges_on_its_schedule(pool: asyncpg.Pool) -> None:
    await add_keys(pool, "old", 3, age_hours=TTL_HOURS + 5)
    await add_keys(pool, "live", 2, age_hours=0)
    loop = ExpiredKeysPurge(pool, TTL_HOURS, interval_seconds=0.05)
    loop.start()
    try:
        async with asyncio.timeout(10):
            while any(k.startswith("old") for k in await keys(pool)):
                await asyncio.sleep(0.05)
        await add_keys(pool, "later", 2, age_hours=TTL_HOURS + 1)  # expired keys arriving later go too
        async with asyncio.timeout(10):
            while any(k.startswith("later") for k in await keys(pool)):
                await asyncio.sleep(0.05)
    finally:
        await loop.stop()
    assert await keys(pool) == {"live-0", "live-1"}

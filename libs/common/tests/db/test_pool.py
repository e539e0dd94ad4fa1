"""The pool's reset on release, against the real PostgreSQL: what a pooled connection leaves behind."""

from __future__ import annotations

import asyncpg
import pytest

from herald_common.db.pool import connect, create_pool

pytestmark = pytest.mark.infra
LOCK = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))"


async def test_a_released_connection_leaves_no_advisory_lock_behind(fresh_database: str) -> None:
    pool = await create_pool(fresh_database, min_size=1, max_size=1)
    other = await connect(fresh_database)
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval(LOCK, "pool-reset-test")
            assert not await other.fetchval(LOCK, "pool-reset-test")  # held while checked out
        assert await other.fetchval(LOCK, "pool-reset-test")  # released with the connection
        await other.execute("SELECT pg_advisory_unlock_all()")
    finally:
        await other.close()
        await pool.close()


async def test_a_transaction_left_open_is_rolled_back_on_release(fresh_database: str) -> None:
    pool = await create_pool(fresh_database, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await conn.execute("CREATE TEMP TABLE left_open (x int)")
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pool.close()


async def test_without_session_reset_nothing_is_sent_on_release(fresh_database: str) -> None:
    pool = await create_pool(fresh_database, min_size=1, max_size=1, reset_sessions=False)
    try:
        async with pool.acquire() as conn:
            assert isinstance(conn, asyncpg.pool.PoolConnectionProxy)
            pid = await conn.fetchval("SELECT pg_backend_pid()")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT pg_backend_pid()") == pid  # the same session, kept
    finally:
        await pool.close()

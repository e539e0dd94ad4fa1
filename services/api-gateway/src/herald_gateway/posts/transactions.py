"""The edge's hold on the database: endpoints open the transaction, services take the connection.

Every write of the posts and queue APIs runs inside one of these, opened by the endpoint, so a
reader of an endpoint sees where its work commits and what happens after the commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection
"""What a service reads or writes with, passed by the endpoint: a connection in its transaction,
or the pool for one statement, which is atomic on its own."""


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """One connection in a transaction, committed when the block ends (rolled back on an error)."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A read-only snapshot: several reads that agree with each other (a post and its platforms)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield conn


@asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, *, one_statement: bool) -> AsyncIterator[asyncpg.Connection]:
    """A transaction, or, when the work is one statement (atomic on its own), only a connection:
    BEGIN and COMMIT would be two more round trips on the create hot path."""
    if one_statement:
        async with pool.acquire() as conn:
            yield conn
    else:
        async with transaction(pool) as conn:
            yield conn

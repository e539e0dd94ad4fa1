"""All SQL of the outbox. Callers pass the connection, so the caller owns the transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

Conn = Any
"""An asyncpg Connection or Pool (both have fetch/fetchval/execute)."""

OUTBOX_CHANNEL = "herald_outbox"
"""NOTIFY channel that wakes the relay (writers of rare events, such as cancels, notify it)."""

RELAY_LOCK = 0x6865_7261_6C64  # "herald": one relay per database


async def try_lead(conn: asyncpg.Connection) -> bool:
    """Takes the relay's session advisory lock on this connection, if free."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK))


async def oldest(conn: Conn, limit: int, *, everything: bool, older_than: timedelta) -> list[asyncpg.Record]:
    """The oldest rows, in id order, up to the newest one older than `older_than`, or up to the
    newest one (`everything`); each with its age in seconds."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, topic, key, value, headers, extract(epoch from clock_timestamp() - created_at) AS age"
        " FROM outbox WHERE id <= (SELECT max(id) FROM outbox"
        " WHERE $2 OR created_at < clock_timestamp() - $3::interval)"
        " ORDER BY id LIMIT $1",
        limit,
        everything,
        older_than,
    )
    return rows


async def delete_produced(conn: Conn, ids: list[int]) -> None:
    await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", ids)


async def backlog(conn: Conn) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM outbox"))

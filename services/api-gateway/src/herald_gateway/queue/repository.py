"""All SQL of posting queues. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import orjson


async def save_schedule(
    conn: asyncpg.Pool | asyncpg.Connection,
    account_id: str,
    business_id: int,
    timezone: str,
    slots: list[dict[str, str]],
) -> None:
    await conn.execute(
        "INSERT INTO queue_schedules (account_id, business_id, timezone, slots) VALUES ($1, $2, $3, $4::jsonb)"
        " ON CONFLICT (account_id) DO UPDATE SET timezone = $3, slots = $4::jsonb, updated_at = now()",
        account_id,
        business_id,
        timezone,
        orjson.dumps(slots).decode(),
    )


async def schedules(
    conn: asyncpg.Pool | asyncpg.Connection, account_ids: Sequence[str]
) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT * FROM queue_schedules WHERE account_id = ANY($1::text[])", list(account_ids)
    )
    return {r["account_id"]: r for r in rows}


async def claims(
    conn: asyncpg.Pool | asyncpg.Connection, account_id: str, after: datetime, before: datetime
) -> dict[datetime, str]:
    """slot instant -> post id, for slots held by posts that were not cancelled."""
    rows = await conn.fetch(
        "SELECT c.slot_at, c.post_id FROM queue_claims c JOIN posts p ON p.id = c.post_id"
        " WHERE c.account_id = $1 AND c.slot_at > $2 AND c.slot_at <= $3 AND p.status <> 'cancelled'",
        account_id,
        after,
        before,
    )
    return {r["slot_at"]: r["post_id"] for r in rows}


async def take(conn: asyncpg.Connection, account_ids: Sequence[str], slot_at: datetime, post_id: str) -> bool:
    """Hold this instant on every account, or on none (False: one of them is held already). A slot
    whose post was cancelled is free again. The primary key serialises concurrent takers: the
    second waits for the first to commit, then finds the slot held."""
    async with conn.transaction():  # a savepoint: a partial take is undone
        for account_id in account_ids:
            took = await conn.fetchval(
                "INSERT INTO queue_claims (account_id, slot_at, post_id) VALUES ($1, $2, $3)"
                " ON CONFLICT (account_id, slot_at) DO UPDATE SET post_id = EXCLUDED.post_id"
                " WHERE (SELECT status FROM posts WHERE id = queue_claims.post_id) = 'cancelled'"
                " RETURNING true",
                account_id,
                slot_at,
                post_id,
            )
            if not took:
                raise _Held
        return True


class _Held(Exception):
    pass


async def try_take(
    conn: asyncpg.Connection, account_ids: Sequence[str], slot_at: datetime, post_id: str
) -> bool:
    try:
        return await take(conn, account_ids, slot_at, post_id)
    except _Held:
        return False

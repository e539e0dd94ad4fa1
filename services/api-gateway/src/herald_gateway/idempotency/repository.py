"""All SQL of idempotency keys. Callers pass the connection, so the caller owns the transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

Conn = Any
"""An asyncpg Connection or Pool (both have fetchrow/fetchval/execute)."""


async def find_live(conn: Conn, business_id: int, key: str, ttl_hours: int) -> asyncpg.Record | None:
    """The stored answer for a key younger than the TTL, if any."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE business_id = $1 AND key = $2"
        " AND created_at > now() - make_interval(hours => $3)",
        business_id,
        key,
        ttl_hours,
    )
    return row


async def delete_expired_key(conn: Conn, business_id: int, key: str, ttl_hours: int) -> None:
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE business_id = $1 AND key = $2"
        " AND created_at <= now() - make_interval(hours => $3)",
        business_id,
        key,
        ttl_hours,
    )


async def insert(
    conn: Conn, business_id: int, key: str, digest: str, status_code: int, response_json: str
) -> bool:
    """True when stored; False when a live row for the key already exists."""
    stored = await conn.fetchval(
        "INSERT INTO idempotency_keys (business_id, key, request_hash, status_code, response)"
        " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING RETURNING true",
        business_id,
        key,
        digest,
        status_code,
        response_json,
    )
    return bool(stored)


async def delete_expired_batch(conn: Conn, ttl_hours: int, batch: int) -> int:
    """Deletes up to `batch` expired keys (by ctid: no long lock on a big table); returns how many."""
    result = await conn.execute(
        "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys"
        " WHERE created_at <= now() - make_interval(hours => $1) LIMIT $2))",
        ttl_hours,
        batch,
    )
    return int(result.split()[-1])

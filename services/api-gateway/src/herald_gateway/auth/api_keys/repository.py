"""All SQL of API keys. Callers pass the connection, so the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

Conn = Any
"""An asyncpg Connection or Pool (both have fetch/fetchval/execute)."""


async def lock_business(conn: asyncpg.Connection, business_id: int) -> None:
    """Serialises key creation per business until the caller's transaction ends."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('herald.api_keys:' || $1::bigint::text, 0))",
        business_id,
    )


async def count_active(conn: Conn, business_id: int) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM api_keys WHERE business_id = $1 AND revoked_at IS NULL", business_id
        )
    )


async def insert(
    conn: Conn, key_id: str, business_id: int, name: str, secret_hash: bytes, created_by: str
) -> datetime:
    """Stores a key; returns its creation time."""
    created_at: datetime = await conn.fetchval(
        "INSERT INTO api_keys (id, business_id, name, secret_hash, created_by) VALUES ($1,$2,$3,$4,$5)"
        " RETURNING created_at",
        key_id,
        business_id,
        name,
        secret_hash,
        created_by,
    )
    return created_at


async def list_active(conn: Conn, business_id: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, name, business_id, created_at, last_used_at FROM api_keys"
        " WHERE business_id = $1 AND revoked_at IS NULL ORDER BY created_at",
        business_id,
    )
    return rows


async def revoke(conn: Conn, key_id: str, business_ids: list[int]) -> bool:
    """True when an active key of one of these businesses was revoked."""
    return bool(
        await conn.fetchval(
            "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND business_id = ANY($2::bigint[])"
            " AND revoked_at IS NULL RETURNING true",
            key_id,
            business_ids,
        )
    )


async def touch_active(conn: Conn, key_id: str) -> asyncpg.Record | None:
    """Marks an active key used; returns its business and secret hash (None: unknown or revoked)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND revoked_at IS NULL"
        " RETURNING business_id, secret_hash",
        key_id,
    )
    return row

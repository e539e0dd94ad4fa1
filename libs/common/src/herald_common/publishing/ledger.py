"""All SQL of the publish ledger. Each write commits at once (autocommit): the 'calling' row must be
durable before the platform call it guards."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from herald_common.publishing.outcomes import CreatedObject


async def try_lock(conn: asyncpg.Connection, post_id: str, platform: str) -> bool:
    """One worker per (post, platform) at a time, across replicas. Session-level: released when
    the pooled connection goes back to the pool (its reset unlocks all) or its session ends.

    Not merged with the read of the ledger rows: one statement has one snapshot, taken before
    the lock is granted, so it could miss a row the previous holder committed just before
    releasing it."""
    return bool(
        await conn.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", f"{post_id}/{platform}")
    )


async def rows(conn: asyncpg.Connection, post_id: str, platform: str) -> dict[int, asyncpg.Record]:
    found = await conn.fetch(
        "SELECT * FROM publish_ledger WHERE post_id = $1 AND platform = $2", post_id, platform
    )
    return {r["part_index"]: r for r in found}


async def start(
    conn: asyncpg.Connection, post_id: str, platform: str, index: int, attempt: int, content_hash: str
) -> datetime:
    return await conn.fetchval(
        "INSERT INTO publish_ledger (post_id, platform, part_index, state, attempt, content_hash)"
        " VALUES ($1,$2,$3,'calling',$4,$5)"
        " ON CONFLICT (post_id, platform, part_index) DO UPDATE"
        " SET state = 'calling', attempt = $4, started_at = now(), finished_at = NULL"
        " WHERE publish_ledger.state <> 'succeeded' RETURNING started_at",
        post_id,
        platform,
        index,
        attempt,
        content_hash,
    )


async def succeed(
    conn: asyncpg.Connection, post_id: str, platform: str, index: int, created: CreatedObject
) -> None:
    await conn.execute(
        "UPDATE publish_ledger SET state = 'succeeded', platform_post_id = $4, url = $5, finished_at = now()"
        " WHERE post_id = $1 AND platform = $2 AND part_index = $3",
        post_id,
        platform,
        index,
        created.platform_post_id,
        created.url,
    )


async def forget(conn: asyncpg.Connection, post_id: str, platform: str, index: int) -> None:
    """The platform answered that nothing was created: the next attempt may call it straight away."""
    await conn.execute(
        "DELETE FROM publish_ledger WHERE post_id = $1 AND platform = $2 AND part_index = $3 AND state = 'calling'",
        post_id,
        platform,
        index,
    )


async def live_parts(
    conn: asyncpg.Connection, post_id: str, platform: str
) -> list[tuple[int, CreatedObject]]:
    """The parts the platform holds for this post (succeeded rows), in order."""
    found = await conn.fetch(
        "SELECT part_index, platform_post_id, url FROM publish_ledger"
        " WHERE post_id = $1 AND platform = $2 AND state = 'succeeded' ORDER BY part_index",
        post_id,
        platform,
    )
    return [(r["part_index"], CreatedObject(r["platform_post_id"], r["url"])) for r in found]

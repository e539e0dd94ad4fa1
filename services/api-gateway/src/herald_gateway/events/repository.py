"""All SQL of the status-change log that feeds the live event stream. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

CHANNEL = "herald_status_changes"
# One lock for every writer of the log: held from the insert until commit, so a larger id is never
# visible before a smaller one (a reader resuming "after id N" would otherwise skip a late commit).
_LOG_LOCK = 0x48455241  # "HERA"


async def record_change(
    conn: asyncpg.Connection,
    *,
    business_id: int,
    post_id: str,
    post_status: str,
    changed: Sequence[tuple[str, str]],
    event_type: str,
) -> None:
    """One row per platform that changed (platform, its new status); call last in the transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOG_LOCK)
    await conn.executemany(
        "INSERT INTO status_changes (business_id, post_id, post_status, platform, platform_status, event_type)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        [(business_id, post_id, post_status, p, s, event_type) for p, s in changed],
    )
    # Delivered at commit: every gateway process wakes its open streams for this business.
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, str(business_id))


async def record_changes(
    conn: asyncpg.Connection, rows: Sequence[tuple[int, str, str, str, str, str]]
) -> None:
    """Many posts' changes at once: (business id, post id, post status, platform, its new status,
    event type) in the order they happened; call last in the transaction."""
    if not rows:
        return
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOG_LOCK)
    await conn.executemany(
        "INSERT INTO status_changes (business_id, post_id, post_status, platform, platform_status, event_type)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        rows,
    )
    await conn.execute(
        "SELECT pg_notify($1, b) FROM unnest($2::text[]) AS b",
        CHANNEL,
        sorted({str(r[0]) for r in rows}),
    )


async def changes_after(
    conn: asyncpg.Connection | asyncpg.Pool, business_ids: Sequence[int], after: int, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM status_changes WHERE business_id = ANY($1::bigint[]) AND id > $2 ORDER BY id LIMIT $3",
        list(business_ids),
        after,
        limit,
    )


async def last_id(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    return int(await conn.fetchval("SELECT coalesce(max(id), 0) FROM status_changes"))


async def post_business(conn: asyncpg.Connection, post_id: str) -> int:
    return int(await conn.fetchval("SELECT business_id FROM posts WHERE id = $1", post_id))


async def prune(pool: asyncpg.Pool, retention_hours: float) -> int:
    deleted = await pool.execute(
        "DELETE FROM status_changes WHERE created_at < now() - make_interval(secs => $1)",
        retention_hours * 3600,
    )
    return int(deleted.split()[-1])

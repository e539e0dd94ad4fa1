"""SQL of the status consumer: many posts per round trip. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import asyncpg

# Taken by the lifecycle consumer before it parks events of an unknown post, and by the intake
# before it records a post: one of them always sees the other's commit (no event is parked after
# the intake looked for it).
_POST_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('herald.post:' || $1, 0))"

TARGET_COLUMNS = (
    "status",
    "attempts",
    "parts",
    "parts_planned",
    "reason",
    "error_code",
    "reauth_required",
    "next_attempt_at",
)


async def lock_targets(conn: asyncpg.Connection, post_ids: Sequence[str]) -> list[asyncpg.Record]:
    """Every target of these posts with its post's business, locked in one fixed order."""
    return await conn.fetch(
        "SELECT t.*, p.business_id FROM post_targets t JOIN posts p ON p.id = t.post_id"
        " WHERE t.post_id = ANY($1::text[]) ORDER BY t.post_id, t.platform FOR UPDATE OF t",
        list(post_ids),
    )


async def update_targets(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    sets = ", ".join(f"{c} = ${i + 3}" for i, c in enumerate(TARGET_COLUMNS))
    await conn.executemany(
        f"UPDATE post_targets SET {sets}, updated_at = now() WHERE post_id = $1 AND platform = $2",
        [(r["post_id"], r["platform"], *(r[c] for c in TARGET_COLUMNS)) for r in rows],
    )


async def set_post_statuses(conn: asyncpg.Connection, statuses: Sequence[tuple[str, str]]) -> None:
    await conn.executemany(
        "UPDATE posts SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2", statuses
    )


async def lock_posts(conn: asyncpg.Connection, post_ids: Collection[str]) -> None:
    for post_id in sorted(post_ids):
        await conn.execute(_POST_LOCK_SQL, post_id)


async def park(conn: asyncpg.Connection, events: Sequence[tuple[str, str, str, str]]) -> None:
    """(event id, post id, event type, data as JSON), in the order they were read."""
    await conn.executemany(
        "INSERT INTO pending_lifecycle (event_id, post_id, event_type, data) VALUES ($1, $2, $3, $4::jsonb)"
        " ON CONFLICT (event_id) DO NOTHING",
        events,
    )


async def take_parked(conn: asyncpg.Connection, post_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "WITH taken AS (DELETE FROM pending_lifecycle WHERE post_id = $1 RETURNING *)"
        " SELECT event_id, event_type, data::text AS data FROM taken ORDER BY seq",
        post_id,
    )


async def expire_parked(conn: asyncpg.Connection, older_than_seconds: float) -> list[asyncpg.Record]:
    return await conn.fetch(
        "DELETE FROM pending_lifecycle WHERE received_at < now() - make_interval(secs => $1)"
        " RETURNING event_id, post_id, event_type, received_at",
        older_than_seconds,
    )

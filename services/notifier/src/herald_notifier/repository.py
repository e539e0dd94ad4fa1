"""The notifier's SQL: storing messages as deliveries, claiming due ones, recording outcomes.

Claiming takes a lease (next_attempt_at moves past the request's timeout): a replica that dies
mid-request leaves the row to be tried again, with the same webhook-id. A delivery is claimable
only when no earlier delivery of the same post to the same endpoint is still pending, so one
post's events reach an endpoint in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from herald_common.poststatus import FINAL, Snapshot, TargetStatus
from herald_common.webhooks.catalog import Message
from herald_common.webhooks.store import wake_notifier


@dataclass(frozen=True)
class Claimed:
    id: int
    endpoint_id: str
    message_id: str
    body: str
    attempts: int
    occurred_at: datetime
    url: str
    row: asyncpg.Record
    """The endpoint's sealed secrets, opened only to sign."""


async def store_messages(conn: asyncpg.Connection, messages: Sequence[Message]) -> int:
    """One row per (subscribed endpoint, message); a message already stored adds nothing."""
    if not messages:
        return 0
    inserted = await conn.fetch(
        "INSERT INTO webhooks.deliveries (endpoint_id, business_id, message_id, post_id, event_type, body,"
        " occurred_at)"
        " SELECT e.id, m.business_id, m.message_id, m.post_id, m.event_type, m.body, m.occurred_at"
        " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],"
        "  $7::int[]) AS m(business_id, message_id, post_id, event_type, body, occurred_at, ord)"
        " JOIN webhooks.endpoints e ON e.business_id = m.business_id AND m.event_type = ANY(e.events)"
        " ORDER BY m.ord, e.id"
        " ON CONFLICT (endpoint_id, message_id) DO NOTHING RETURNING id",
        [m.business_id for m in messages],
        [m.id for m in messages],
        [m.post_id for m in messages],
        [m.type for m in messages],
        [m.body for m in messages],
        [m.occurred_at for m in messages],
        list(range(len(messages))),
    )
    if inserted:
        await wake_notifier(conn)
    return len(inserted)


async def claim(conn: asyncpg.Connection, limit: int, lease_seconds: float) -> list[Claimed]:
    rows = await conn.fetch(
        "WITH due AS ("
        " SELECT d.id FROM webhooks.deliveries d JOIN webhooks.endpoints e ON e.id = d.endpoint_id"
        " WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.disabled_at IS NULL"
        "  AND NOT EXISTS (SELECT 1 FROM webhooks.deliveries p WHERE p.endpoint_id = d.endpoint_id"
        "   AND p.post_id = d.post_id AND p.status = 'pending' AND p.id < d.id)"
        " ORDER BY d.next_attempt_at, d.id LIMIT $1 FOR UPDATE OF d SKIP LOCKED)"
        " UPDATE webhooks.deliveries d SET attempts = d.attempts + 1,"
        "  next_attempt_at = now() + make_interval(secs => $2)"
        " FROM due, webhooks.endpoints e WHERE d.id = due.id AND e.id = d.endpoint_id"
        " RETURNING d.id, d.endpoint_id, d.message_id, d.body, d.attempts, d.occurred_at, e.url,"
        "  e.key_id, e.secret, e.previous_key_id, e.previous_secret,"
        "  coalesce(e.previous_expires_at < now(), true) AS previous_expired",
        limit,
        lease_seconds,
    )
    return [
        Claimed(
            r["id"],
            r["endpoint_id"],
            r["message_id"],
            r["body"],
            r["attempts"],
            r["occurred_at"],
            r["url"],
            r,
        )
        for r in sorted(rows, key=lambda r: r["id"])
    ]


async def delivered(conn: asyncpg.Connection, delivery_id: int, status_code: int, latency_ms: int) -> None:
    await conn.execute(
        "UPDATE webhooks.deliveries SET status='delivered', delivered_at=now(), last_status_code=$2,"
        " last_latency_ms=$3, last_error=NULL WHERE id=$1",
        delivery_id,
        status_code,
        latency_ms,
    )


async def failed_attempt(
    conn: asyncpg.Connection,
    delivery_id: int,
    *,
    status_code: int | None,
    latency_ms: int,
    error: str,
    retry_in: float | None,
) -> None:
    """retry_in None: retries are exhausted; the delivery fails and its endpoint is disabled."""
    row = await conn.fetchrow(
        "UPDATE webhooks.deliveries SET last_status_code=$2, last_latency_ms=$3, last_error=$4,"
        " status = CASE WHEN $5::float8 IS NULL THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = CASE WHEN $5::float8 IS NULL THEN next_attempt_at"
        "  ELSE now() + make_interval(secs => $5) END"
        " WHERE id=$1 RETURNING endpoint_id, attempts",
        delivery_id,
        status_code,
        latency_ms,
        error[:500],
        retry_in,
    )
    if retry_in is None and row is not None:
        await conn.execute(
            "UPDATE webhooks.endpoints SET disabled_at=now(), disabled_reason=$2, updated_at=now()"
            " WHERE id=$1 AND disabled_at IS NULL",
            row["endpoint_id"],
            f"a delivery failed {row['attempts']} times over its retry schedule (last: {error[:200]})",
        )


async def counts(pool: asyncpg.Pool) -> tuple[int, int]:
    """(pending deliveries, disabled endpoints) for the gauges."""
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM webhooks.deliveries WHERE status='pending') AS pending,"
        " (SELECT count(*) FROM webhooks.endpoints WHERE disabled_at IS NOT NULL) AS disabled"
    )
    assert row is not None
    return int(row["pending"]), int(row["disabled"])


async def start_post(conn: asyncpg.Connection, post_id: str, business_id: int, platforms: list[str]) -> bool:
    """Follow a new post (all platforms scheduled); False when it is followed already."""
    created = await conn.fetchval(
        "INSERT INTO webhooks.posts (post_id, business_id, status) VALUES ($1, $2, 'scheduled')"
        " ON CONFLICT (post_id) DO NOTHING RETURNING true",
        post_id,
        business_id,
    )
    if created:
        await conn.executemany(
            "INSERT INTO webhooks.post_targets (post_id, platform, status) VALUES ($1, $2, 'scheduled')"
            " ON CONFLICT DO NOTHING",
            [(post_id, p) for p in platforms],
        )
    return bool(created)


async def lock_post(conn: asyncpg.Connection, post_id: str) -> tuple[str | None, dict[str, Snapshot]]:
    status = await conn.fetchval("SELECT status FROM webhooks.posts WHERE post_id=$1 FOR UPDATE", post_id)
    rows = await conn.fetch(
        "SELECT platform, status, attempt, live_parts FROM webhooks.post_targets WHERE post_id=$1", post_id
    )
    return status, {
        r["platform"]: Snapshot(TargetStatus(r["status"]), r["attempt"], r["live_parts"]) for r in rows
    }


async def save_target(conn: asyncpg.Connection, post_id: str, platform: str, target: Snapshot) -> None:
    await conn.execute(
        "UPDATE webhooks.post_targets SET status=$3, attempt=$4, live_parts=$5 WHERE post_id=$1 AND platform=$2",
        post_id,
        platform,
        target.status.value,
        target.attempt,
        target.live_parts,
    )


async def save_post_status(conn: asyncpg.Connection, post_id: str, status: str) -> None:
    await conn.execute(
        "UPDATE webhooks.posts SET status=$2, updated_at=now() WHERE post_id=$1", post_id, status
    )


async def prune_batch(pool: asyncpg.Pool, retention_seconds: float, batch: int) -> int:
    """One bounded batch of what the retention lets go: finished deliveries (delivered, or given up)
    and the followed status of posts final and untouched for that long. Pending deliveries, and posts
    still waiting for their time, are never pruned."""
    deleted = await pool.fetchval(
        "WITH gone AS (DELETE FROM webhooks.deliveries WHERE id IN (SELECT id FROM webhooks.deliveries"
        "  WHERE status <> 'pending' AND coalesce(delivered_at, next_attempt_at) < now() - make_interval(secs => $1)"
        "  LIMIT $2) RETURNING 1),"
        " old_posts AS (DELETE FROM webhooks.posts WHERE post_id IN (SELECT post_id FROM webhooks.posts"
        "  WHERE status = ANY($3::text[]) AND updated_at < now() - make_interval(secs => $1) LIMIT $2)"
        "  RETURNING post_id),"
        " old_targets AS (DELETE FROM webhooks.post_targets WHERE post_id IN (SELECT post_id FROM old_posts)"
        "  RETURNING 1)"
        " SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM old_posts)",
        retention_seconds,
        batch,
        [s.value for s in FINAL],
    )
    return int(deleted)

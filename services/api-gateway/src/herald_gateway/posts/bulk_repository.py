"""SQL of bulk uploads: claim the rows' idempotency keys and store their posts, a chunk at a time in
a few statements (whatever the chunk's size), in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import orjson

from herald_common.events import KafkaRecord
from herald_gateway.outbox.repository import OUTBOX_CHANNEL
from herald_gateway.posts.repository import NewTarget


@dataclass(frozen=True)
class NewPost:
    post_id: str
    key: str
    digest: str
    status: str
    content: str
    scheduled_for: datetime | None
    timezone: str | None
    late_policy: str
    targets: list[NewTarget]
    event: KafkaRecord


async def known_keys(
    conn: asyncpg.Connection, business_id: int, keys: Sequence[str], ttl_hours: int
) -> dict[str, tuple[str, str]]:
    """key -> (request hash, post id) of the keys used within the TTL."""
    rows = await conn.fetch(
        "SELECT key, request_hash, response->>'id' AS post_id FROM idempotency_keys"
        " WHERE business_id = $1 AND key = ANY($2::text[]) AND created_at > now() - make_interval(hours => $3)",
        business_id,
        list(keys),
        ttl_hours,
    )
    return {r["key"]: (r["request_hash"], r["post_id"]) for r in rows}


async def claim_keys(
    conn: asyncpg.Connection, business_id: int, posts: Sequence[NewPost], ttl_hours: int
) -> set[str]:
    """Claim the keys (expired ones are replaced); a key a concurrent upload holds is not returned."""
    keys = [p.key for p in posts]
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE business_id = $1 AND key = ANY($2::text[])"
        " AND created_at <= now() - make_interval(hours => $3)",
        business_id,
        keys,
        ttl_hours,
    )
    rows = await conn.fetch(
        "INSERT INTO idempotency_keys (business_id, key, request_hash, status_code, response)"
        " SELECT $1, k.key, k.digest, 202, jsonb_build_object('id', k.post_id)"
        " FROM unnest($2::text[], $3::text[], $4::text[]) AS k(key, digest, post_id)"
        " ON CONFLICT (business_id, key) DO NOTHING RETURNING key",
        business_id,
        keys,
        [p.digest for p in posts],
        [p.post_id for p in posts],
    )
    return {r["key"] for r in rows}


async def insert_posts(conn: asyncpg.Connection, business_id: int, posts: Sequence[NewPost]) -> None:
    await conn.execute(
        "INSERT INTO posts (id, business_id, status, content, scheduled_for, timezone, late_policy, origin)"
        " SELECT p.id, $1, p.status, p.content, p.due, p.zone, p.policy, 'api'"
        " FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])"
        " AS p(id, status, content, due, zone, policy)",
        business_id,
        [p.post_id for p in posts],
        [p.status for p in posts],
        [p.content for p in posts],
        [p.scheduled_for for p in posts],
        [p.timezone for p in posts],
        [p.late_policy for p in posts],
    )
    targets = [(p.post_id, t) for p in posts for t in p.targets]
    await conn.execute(
        "INSERT INTO post_targets (post_id, platform, status, content, media_urls, account_id, first_comment)"
        " SELECT t.post_id, t.platform, t.status, t.content, t.media::jsonb, t.account, t.comment"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])"
        " AS t(post_id, platform, status, content, media, account, comment)",
        [pid for pid, _ in targets],
        [t.platform for _, t in targets],
        [t.status.value for _, t in targets],
        [t.content for _, t in targets],
        [orjson.dumps(t.media_urls).decode() for _, t in targets],
        [t.account_id for _, t in targets],
        [t.first_comment for _, t in targets],
    )
    await conn.execute(
        "INSERT INTO outbox (topic, key, value, headers)"
        " SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::jsonb[])",
        [p.event.topic for p in posts],
        [p.event.key for p in posts],
        [p.event.value for p in posts],
        [orjson.dumps(p.event.headers).decode() for p in posts],
    )
    await conn.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)

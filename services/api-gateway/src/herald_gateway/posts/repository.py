"""All SQL of posts, their platform targets and the outbox. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from herald_common.events import KafkaRecord
from herald_gateway.outbox.repository import OUTBOX_CHANNEL
from herald_gateway.posts.schemas import PostStatus, TargetStatus


@dataclass(frozen=True)
class NewTarget:
    platform: str
    status: TargetStatus
    content: str
    media_urls: list[str]
    account_id: str | None = None
    """A connected account's id (accounts schema); None: the default account when it publishes."""
    first_comment: str | None = None


async def insert_post(
    conn: asyncpg.Connection,
    *,
    post_id: str,
    business_id: int,
    status: PostStatus,
    content: str,
    scheduled_for: datetime | None,
    timezone: str | None,
    late_policy: str,
    origin: str,
    targets: Sequence[NewTarget],
) -> bool:
    """Returns False when the post already exists (a redelivered event): nothing is changed then."""
    inserted = await conn.fetchval(
        "INSERT INTO posts (id, business_id, status, content, scheduled_for, timezone, late_policy, origin)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (id) DO NOTHING RETURNING true",
        post_id,
        business_id,
        status.value,
        content,
        scheduled_for,
        timezone,
        late_policy,
        origin,
    )
    if not inserted:
        return False
    await conn.executemany(
        "INSERT INTO post_targets (post_id, platform, status, content, media_urls) VALUES ($1,$2,$3,$4,$5)",
        [
            (post_id, t.platform, t.status.value, t.content, orjson.dumps(t.media_urls).decode())
            for t in targets
        ],
    )
    return True


async def accept_post(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    post_id: str,
    business_id: int,
    status: PostStatus,
    content: str,
    scheduled_for: datetime | None,
    timezone: str | None,
    late_policy: str,
    targets: Sequence[NewTarget],
    event: KafkaRecord,
) -> int:
    """A new API post, its targets and its outbox event in ONE statement: atomic on its own (no
    BEGIN/COMMIT round trips). Returns the outbox row's id, which the caller deletes once it has
    produced the event itself.

    No NOTIFY here: a transaction that notified holds PostgreSQL's notify-queue lock until its
    commit is flushed, which would make every accept wait for the previous one's WAL flush."""
    outbox_id: int = await conn.fetchval(
        "WITH post AS (INSERT INTO posts (id, business_id, status, content, scheduled_for, timezone, late_policy,"
        " origin) VALUES ($1, $2, $3, $4, $5, $6, $7, 'api')),"
        " targets AS (INSERT INTO post_targets (post_id, platform, status, content, media_urls, account_id,"
        " first_comment) SELECT $1, t.platform, t.status, t.content, t.media::jsonb, t.account, t.comment"
        " FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $16::text[], $17::text[])"
        " AS t(platform, status, content, media, account, comment)),"
        " event AS (INSERT INTO outbox (topic, key, value, headers) VALUES ($12, $13, $14, $15) RETURNING id)"
        " SELECT id FROM event",
        post_id,
        business_id,
        status.value,
        content,
        scheduled_for,
        timezone,
        late_policy,
        [t.platform for t in targets],
        [t.status.value for t in targets],
        [t.content for t in targets],
        [orjson.dumps(t.media_urls).decode() for t in targets],
        event.topic,
        event.key,
        event.value,
        orjson.dumps(event.headers).decode(),
        [t.account_id for t in targets],
        [t.first_comment for t in targets],
    )
    return outbox_id


async def add_to_outbox(conn: asyncpg.Connection, records: Sequence[KafkaRecord]) -> None:
    await conn.executemany(
        "INSERT INTO outbox (topic, key, value, headers) VALUES ($1,$2,$3,$4)",
        [(r.topic, r.key, r.value, orjson.dumps(r.headers).decode()) for r in records],
    )
    # Delivered at commit: the relay wakes within milliseconds instead of polling.
    await conn.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)


async def get_post(
    conn: asyncpg.Connection | asyncpg.Pool,
    post_id: str,
    business_ids: Sequence[int],
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM posts WHERE id = $1 AND business_id = ANY($2::bigint[])", post_id, list(business_ids)
    )


async def get_targets(
    conn: asyncpg.Connection | asyncpg.Pool, post_ids: Sequence[str]
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM post_targets WHERE post_id = ANY($1::text[]) ORDER BY post_id, platform",
        list(post_ids),
    )


async def lock_targets(conn: asyncpg.Connection, post_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM post_targets WHERE post_id = $1 ORDER BY platform FOR UPDATE", post_id
    )


async def update_target(conn: asyncpg.Connection, post_id: str, platform: str, **fields: Any) -> None:
    columns = list(fields)
    sets = ", ".join(f"{c} = ${i + 3}" for i, c in enumerate(columns))
    values = [orjson.dumps(v).decode() if c == "parts" else v for c, v in fields.items()]
    await conn.execute(
        f"UPDATE post_targets SET {sets}, updated_at = now() WHERE post_id = $1 AND platform = $2",
        post_id,
        platform,
        *values,
    )


async def set_post_status(conn: asyncpg.Connection, post_id: str, status: PostStatus) -> None:
    await conn.execute(
        "UPDATE posts SET status = $2, updated_at = now() WHERE id = $1 AND status <> $2",
        post_id,
        status.value,
    )


async def list_scheduled(
    pool: asyncpg.Pool,
    *,
    business_id: int,
    statuses: Sequence[str] | None,
    due_from: datetime | None,
    due_to: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest due first; keyset pagination on (scheduled_for, id) so pages stay stable under inserts."""
    return await pool.fetch(
        "SELECT * FROM posts WHERE business_id = $1 AND scheduled_for IS NOT NULL"
        " AND ($2::text[] IS NULL OR status = ANY($2))"
        " AND ($3::timestamptz IS NULL OR scheduled_for >= $3)"
        " AND ($4::timestamptz IS NULL OR scheduled_for < $4)"
        " AND ($5::timestamptz IS NULL OR (scheduled_for, id) < ($5, $6))"
        " ORDER BY scheduled_for DESC, id DESC LIMIT $7",
        business_id,
        list(statuses) if statuses else None,
        due_from,
        due_to,
        after[0] if after else None,
        after[1] if after else "",
        limit,
    )


async def list_posts(
    pool: asyncpg.Pool,
    *,
    business_id: int,
    statuses: Sequence[str] | None,
    platform: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
    text: str | None = None,
) -> list[asyncpg.Record]:
    """Newest first; keyset pagination on (created_at, id). `text`: a case-insensitive substring of
    the post's text or any platform's (LIKE wildcards in it are matched literally)."""
    return await pool.fetch(
        "SELECT * FROM posts p WHERE business_id = $1"
        " AND ($2::text[] IS NULL OR status = ANY($2))"
        " AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM post_targets t WHERE t.post_id = p.id AND t.platform = $3))"
        " AND ($4::timestamptz IS NULL OR created_at >= $4)"
        " AND ($5::timestamptz IS NULL OR created_at < $5)"
        " AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7))"
        " AND ($9::text IS NULL OR p.content ILIKE $9 ESCAPE '\\' OR EXISTS (SELECT 1 FROM post_targets t"
        " WHERE t.post_id = p.id AND t.content ILIKE $9 ESCAPE '\\'))"
        " ORDER BY created_at DESC, id DESC LIMIT $8",
        business_id,
        list(statuses) if statuses else None,
        platform,
        created_from,
        created_to,
        after[0] if after else None,
        after[1] if after else "",
        limit,
        _contains(text),
    )


def _contains(text: str | None) -> str | None:
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def keep_edit(
    conn: asyncpg.Connection,
    *,
    request_id: str,
    post_id: str,
    content: str | None,
    scheduled_for: datetime | None,
    timezone: str | None,
    targets: str,
) -> None:
    await conn.execute(
        "INSERT INTO post_edits (request_id, post_id, content, scheduled_for, timezone, targets)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        request_id,
        post_id,
        content,
        scheduled_for,
        timezone,
        targets,
    )


async def take_edit(conn: asyncpg.Connection, request_id: str) -> asyncpg.Record | None:
    """The kept edit, removed: applied (PostEdited) or dropped (PostEditRefused) once only."""
    return await conn.fetchrow("DELETE FROM post_edits WHERE request_id = $1 RETURNING *", request_id)


async def apply_edit(conn: asyncpg.Connection, edit: asyncpg.Record, scheduled_for: datetime) -> None:
    await conn.execute(
        "UPDATE posts SET scheduled_for = $2, content = COALESCE($3, content),"
        " timezone = CASE WHEN $4::timestamptz IS NULL THEN timezone ELSE $5 END, updated_at = now()"
        " WHERE id = $1",
        edit["post_id"],
        scheduled_for,
        edit["content"],
        edit["scheduled_for"],
        edit["timezone"],
    )
    for t in orjson.loads(edit["targets"]):
        await conn.execute(
            "UPDATE post_targets SET content = $3, media_urls = $4::jsonb, first_comment = $5, account_id = $6,"
            " updated_at = now() WHERE post_id = $1 AND platform = $2",
            edit["post_id"],
            t["platform"],
            t["content"],
            orjson.dumps(t["media_urls"]).decode(),
            t["first_comment"],
            t["account_id"],
        )


async def get_post_by_id(conn: asyncpg.Connection, post_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM posts WHERE id = $1", post_id)

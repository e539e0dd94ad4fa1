"""The notifier's retention on a real PostgreSQL: finished deliveries and finished posts older than
the retention go, in batches; a pending delivery and a post still waiting for its time stay, however old."""

from __future__ import annotations

import asyncpg
import pytest

from herald_common.runtime import migrate
from herald_common.settings import HeraldSettings
from herald_common.webhooks.wiring import MIGRATIONS, SCHEMA
from herald_notifier.retention import prune

pytestmark = pytest.mark.infra


async def add_delivery(conn: asyncpg.Connection, message: str, status: str, age_days: float) -> None:
    await conn.execute(
        "INSERT INTO webhooks.deliveries (endpoint_id, business_id, message_id, post_id, event_type, body,"
        " occurred_at, status, next_attempt_at, delivered_at)"
        " VALUES ('whk_1', 1, $1, 'p', 'post.published', '{}', now(), $2,"
        " now() - make_interval(secs => $3), CASE WHEN $2 = 'delivered' THEN now() - make_interval(secs => $3) END)",
        message,
        status,
        age_days * 86400,
    )


async def add_post(conn: asyncpg.Connection, post_id: str, status: str, age_days: float) -> None:
    await conn.execute(
        "INSERT INTO webhooks.posts (post_id, business_id, status, updated_at)"
        " VALUES ($1, 1, $2, now() - make_interval(secs => $3))",
        post_id,
        status,
        age_days * 86400,
    )
    await conn.execute(
        "INSERT INTO webhooks.post_targets (post_id, platform, status) VALUES ($1, 'twitter', $2)",
        post_id,
        status,
    )


async def test_only_what_is_finished_and_old_is_pruned(fresh_database: str) -> None:
    await migrate(HeraldSettings(database_url=fresh_database), SCHEMA, MIGRATIONS)
    async with asyncpg.create_pool(fresh_database) as pool:
        async with pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO webhooks.endpoints (id, business_id, url, events, key_id, secret)"
                " VALUES ('whk_1', 1, 'https://example.com/hook', '{*}', 'k', '\\x00')"
            )
            for n in range(7):  # more than one batch of 3
                await add_delivery(conn, f"old-delivered-{n}", "delivered", 40)
            await add_delivery(conn, "old-failed", "failed", 40)
            await add_delivery(conn, "old-pending", "pending", 40)  # still to be delivered: kept
            await add_delivery(conn, "recent-delivered", "delivered", 2)
            await add_post(conn, "old-published", "published", 40)
            await add_post(conn, "old-scheduled", "scheduled", 40)  # due in two months: kept
            await add_post(conn, "recent-failed", "failed", 2)

        assert await prune(pool, retention_days=30, batch=3) == 9
        assert await prune(pool, retention_days=30, batch=3) == 0

        kept = {r["message_id"] for r in await pool.fetch("SELECT message_id FROM webhooks.deliveries")}
        assert kept == {"old-pending", "recent-delivered"}
        posts = {r["post_id"] for r in await pool.fetch("SELECT post_id FROM webhooks.posts")}
        assert posts == {"old-scheduled", "recent-failed"}
        targets = {r["post_id"] for r in await pool.fetch("SELECT post_id FROM webhooks.post_targets")}
        assert targets == posts

"""The status-change log behind GET /api/v2/events: kept for the retention, then pruned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from herald_common.db.pool import create_pool
from herald_gateway.events.repository import changes_after, prune


async def test_prune_deletes_only_changes_older_than_the_retention(
    gateway_factory: Callable[..., Any], fresh_database: str
) -> None:
    async with gateway_factory():  # applies the migrations
        pool = await create_pool(fresh_database, schema="gateway", min_size=1, max_size=2)
        try:
            for age_hours, post in ((100, "old"), (1, "recent")):
                await pool.execute(
                    "INSERT INTO status_changes (business_id, post_id, post_status, platform, platform_status,"
                    " event_type, created_at) VALUES (1, $1, 'published', 'twitter', 'published', 't',"
                    " now() - make_interval(hours => $2))",
                    post,
                    age_hours,
                )
            assert await prune(pool, retention_hours=72) == 1
            left = await changes_after(pool, [1], 0, 10)
            assert [r["post_id"] for r in left] == ["recent"]
        finally:
            await pool.close()

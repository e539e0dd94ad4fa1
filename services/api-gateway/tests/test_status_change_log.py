"""The status-change log behind GET /api/v2/events: kept for the retention, then pruned."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from herald_common.db.pool import create_pool
from herald_gateway.events.endpoints import stream_changes
from herald_gateway.events.hub import ChangeHub
from herald_gateway.events.repository import changes_after, prune, record_change


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


async def test_a_stream_sends_its_business_changes_then_heartbeats_and_wakes_on_notify(
    gateway_factory: Callable[..., Any], fresh_database: str
) -> None:
    async with gateway_factory():
        pool = await create_pool(fresh_database, schema="gateway", min_size=1, max_size=3)
        hub = ChangeHub(fresh_database, "gateway")
        hub.start()
        try:
            async with pool.acquire() as conn, conn.transaction():
                for business, post in ((1, "theirs"), (2, "mine")):
                    await record_change(
                        conn, business_id=business, post_id=post, post_status="published",
                        changed=[("twitter", "published")], event_type="t",
                    )  # fmt: skip
            stream = stream_changes(pool, hub, frozenset({2}), after=0, heartbeat=0.3)
            assert (await anext(stream)).startswith(b"retry: 2000")
            first = await anext(stream)
            assert b'"post_id":"mine"' in first and b"event: status" in first
            assert await anext(stream) == b": heartbeat\n\n", "nothing of business 1, then a heartbeat"
            await stream.aclose()

            # A change wakes an idle stream at once (its heartbeat is far away): NOTIFY -> hub -> stream.
            await asyncio.wait_for(hub.listening.wait(), 10)
            stream = stream_changes(pool, hub, frozenset({2}), after=0, heartbeat=60)
            await anext(stream), await anext(stream)  # the opening comment and "mine"
            waiting = asyncio.ensure_future(anext(stream))
            await asyncio.sleep(0.2)  # lets the stream read the log and start waiting
            async with pool.acquire() as conn, conn.transaction():
                await record_change(
                    conn, business_id=2, post_id="later", post_status="failed",
                    changed=[("linkedin", "failed")], event_type="t",
                )  # fmt: skip
            later = await asyncio.wait_for(waiting, 5)
            assert b'"post_id":"later"' in later and b'"status":"failed"' in later
            await stream.aclose()
        finally:
            await hub.stop()
            await pool.close()

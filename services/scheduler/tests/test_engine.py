"""Replicas on one database: restarts, two at once, and re-driving what a dead replica left behind."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg
import pytest

from herald_common.events import (
    PostCancelled,
    PostCancelRefused,
    PostCancelRequested,
    PostDispatched,
    PostRetryRequested,
    PostRetryScheduled,
    utcnow,
)
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique
from herald_scheduler.emitter import Emitter
from herald_scheduler.main import build_engine
from herald_scheduler.model import LeaseTerms
from herald_scheduler.service import Outcome, SchedulingService
from herald_scheduler.settings import Settings

from .conftest import EngineFactory, Watcher, in_seconds, post

pytestmark = pytest.mark.infra
# Stores requests as the consumer would, but leases nothing: the engines under test must claim them.
INTAKE = SchedulingService(LeaseTerms("intake", ttl_seconds=30, horizon_seconds=-3600), 300)


async def store(pool: asyncpg.Pool, *requests: object) -> Outcome:
    async with pool.acquire() as conn, conn.transaction():
        return await INTAKE.handle(conn, list(requests), utcnow())  # type: ignore[arg-type]


async def store_spread(pool: asyncpg.Pool, count: int, start: float, span: float) -> set[str]:
    """`count` posts on two platforms, due evenly from `start` s to `start + span` s from now."""
    ids = [unique("p") for _ in range(count)]
    await store(
        pool,
        *(
            post(i, Platform.LINKEDIN, Platform.TWITTER, at=in_seconds(start + span * n / count))
            for n, i in enumerate(ids)
        ),
    )
    return {f"due:{i}:{p}:1" for i in ids for p in ("linkedin", "twitter")}


def all_sent(pool: asyncpg.Pool) -> Callable[[], Awaitable[bool]]:
    return lambda: pool.fetchval("SELECT count(*) = 0 FROM schedules WHERE state <> 'sent'")


def due_ids(watcher: Watcher) -> Counter[str]:
    return Counter(
        s.envelope.id for s in watcher.seen if s.topic.startswith("herald.post.due.") and s.envelope
    )


async def test_a_restart_with_pending_schedules_fires_each_exactly_once(
    pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    expected = await store_spread(pool, 150, start=0.5, span=3.0)
    async with engine_factory("first") as first:
        await eventually(lambda: len(due_ids(watcher)) >= 40, timeout=10)  # stopped mid-way
        owner = first.owner
    # stopped mid-way: its leases are handed back at once, not left to expire
    assert await pool.fetchval("SELECT count(*) FROM schedules WHERE lease_owner = $1", owner) == 0
    fired_before = set(due_ids(watcher))
    assert fired_before < expected
    async with engine_factory("second"):
        await eventually(lambda: set(due_ids(watcher)) == expected, timeout=15)
        await eventually(all_sent(pool), timeout=10)  # nothing left to fire: no copy can follow
    assert set(due_ids(watcher).values()) == {1}


async def test_two_replicas_fire_each_due_event_exactly_once_between_them(
    pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    async with engine_factory("a"), engine_factory("b"):
        expected = await store_spread(pool, 300, start=0.2, span=2.5)
        await eventually(lambda: set(due_ids(watcher)) == expected, timeout=15)
        await eventually(all_sent(pool), timeout=10)
    assert set(due_ids(watcher).values()) == {1}


async def test_what_a_dead_replica_left_firing_or_leased_is_re_driven_with_the_same_event_id(
    pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    crashed_firing, crashed_leased, alive = unique("firing"), unique("leased"), unique("alive")
    await store(
        pool,
        post(crashed_firing, at=in_seconds(-2)),
        post(crashed_leased, at=in_seconds(-2)),
        post(alive, at=in_seconds(-2)),
    )
    expired = utcnow() - timedelta(seconds=1)
    await pool.execute(
        "UPDATE schedules SET state = 'firing', lease_owner = 'dead', lease_until = $2 WHERE post_id = $1",
        crashed_firing,
        expired,
    )
    await pool.execute(
        "UPDATE schedules SET state = 'leased', lease_owner = 'dead', lease_until = $2 WHERE post_id = $1",
        crashed_leased,
        expired,
    )
    await pool.execute(
        "UPDATE schedules SET state = 'firing', lease_owner = 'busy', lease_until = $2 WHERE post_id = $1",
        alive,
        utcnow() + timedelta(seconds=60),
    )
    async with engine_factory("survivor"):
        await eventually(
            lambda: (
                {f"due:{crashed_firing}:twitter:1", f"due:{crashed_leased}:twitter:1"}
                <= set(due_ids(watcher))
            ),
            timeout=10,
        )
        # taken over in the same sweep as the crashed rows, had its lease been expired
        await eventually(
            lambda: pool.fetchval(
                "SELECT count(*) = 2 FROM schedules WHERE post_id = ANY($1::text[]) AND state = 'sent'",
                [crashed_firing, crashed_leased],
            )
        )
    assert f"due:{alive}:twitter:1" not in due_ids(watcher)  # its holder's lease is still good
    states = dict(await pool.fetch("SELECT post_id, state FROM schedules"))
    assert states == {crashed_firing: "sent", crashed_leased: "sent", alive: "firing"}


async def test_a_cancel_wins_over_a_row_another_replica_holds_leased(
    pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    post_id, marker = unique("held"), unique("marker")
    async with engine_factory("holder") as holder:
        await store(pool, post(post_id, at=in_seconds(1.5)), post(marker, at=in_seconds(2.0)))
        await holder.sweep()
        assert await pool.fetchval("SELECT state FROM schedules WHERE post_id = $1", post_id) == "leased"
        outcome = await store(
            pool, PostCancelRequested(post_id=post_id, business_id=7, request_id="r", requested_at=utcnow())
        )
        (answer,) = [r for r in outcome.records if r.headers["ce_type"] == PostCancelled.ce_type]
        assert b'"platforms":["twitter"]' in answer.value
        # the marker is due after it, in the same heap: once it is out, the held row's instant has passed
        await eventually(lambda: f"due:{marker}:twitter:1" in due_ids(watcher), timeout=10)
    assert await pool.fetchval("SELECT state FROM schedules WHERE post_id = $1", post_id) == "cancelled"
    assert due_ids(watcher) == Counter({f"due:{marker}:twitter:1": 1})


async def test_claiming_uses_the_pending_index_whatever_the_backlog(pool: asyncpg.Pool) -> None:
    far: datetime = utcnow() + timedelta(days=30)
    await pool.execute(
        "INSERT INTO schedules (post_id, platform, business_id, state, due_at, scheduled_for, late_policy,"
        " grace_seconds, target) SELECT 'bulk-' || n, 'twitter', 1, 'pending', $1, $1, 'publish', 300, '{}'"
        " FROM generate_series(1, 50000) n",
        far,
    )
    await pool.execute("ANALYZE schedules")
    plan = "\n".join(
        r[0]
        for r in await pool.fetch(
            "EXPLAIN SELECT post_id, platform FROM schedules WHERE state = 'pending' AND due_at <= now()"
            " ORDER BY due_at LIMIT 5000 FOR UPDATE SKIP LOCKED"
        )
    )
    assert "schedules_pending_due" in plan
    assert "Seq Scan" not in plan


async def test_a_cancel_after_dispatch_is_refused(
    pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    post_id = unique("too-late")
    async with engine_factory("one"):
        await store(pool, post(post_id))
        await eventually(lambda: due_ids(watcher)[f"due:{post_id}:twitter:1"] == 1)
        await eventually(lambda: pool.fetchval("SELECT state = 'sent' FROM schedules"))
    outcome = await store(
        pool, PostCancelRequested(post_id=post_id, business_id=7, request_id="r", requested_at=utcnow())
    )
    (answer,) = outcome.records
    assert answer.headers["ce_type"] == PostCancelRefused.ce_type
    assert b'"reason":"already_dispatched"' in answer.value


async def test_a_retry_fires_attempt_2_at_not_before_and_a_stale_retry_is_ignored(
    pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    post_id = unique("retry")

    def retry(attempt: int, not_before: datetime) -> PostRetryRequested:
        return PostRetryRequested(
            post_id=post_id,
            business_id=7,
            platform=Platform.TWITTER,
            attempt=attempt,
            not_before=not_before,
            reason="HTTP 503",
        )

    async with engine_factory("one"):
        await store(pool, post(post_id))
        await eventually(lambda: pool.fetchval("SELECT state = 'sent' FROM schedules"))
        not_before = in_seconds(1)
        first = await store(pool, retry(1, not_before))
        assert [r.headers["ce_type"] for r in first.records] == [PostRetryScheduled.ce_type]
        assert (await store(pool, retry(1, not_before))).records == []  # redelivered: attempt is 2 now
        assert (await store(pool, retry(5, not_before))).records == []  # stale
        await eventually(lambda: f"due:{post_id}:twitter:2" in due_ids(watcher), timeout=10)
        await eventually(all_sent(pool))
    (second,) = [s for s in watcher.due(post_id) if s.envelope and s.envelope.data.attempt == 2]
    assert second.envelope is not None
    assert second.envelope.data.due_at == not_before
    assert second.received >= not_before.timestamp()
    assert due_ids(watcher) == Counter({f"due:{post_id}:twitter:1": 1, f"due:{post_id}:twitter:2": 1})


async def test_a_crash_after_the_due_event_but_before_the_coalesced_mark_is_re_driven_with_the_same_ids(
    pool: asyncpg.Pool, settings: Settings, watcher: Watcher, engine_factory: EngineFactory
) -> None:
    post_id = unique("crash")
    slow = settings.model_copy(update={"scheduler_finish_interval_seconds": 120.0})
    owner = f"{settings.scheduler_owner_id}-crashing"
    emitter = Emitter(settings.kafka_bootstrap_servers, owner)
    await emitter.start()
    engine = build_engine(slow, pool, emitter, owner)
    await engine.start()
    try:
        await store(pool, post(post_id))
        await eventually(lambda: due_ids(watcher)[f"due:{post_id}:twitter:1"] == 1)
        row = await pool.fetchrow("SELECT state, lease_until FROM schedules WHERE post_id = $1", post_id)
        assert row["state"] == "firing"  # not marked yet: the mark waits for the coalesced flush
        assert row["lease_until"] > utcnow() + timedelta(seconds=settings.scheduler_lease_ttl_seconds - 5)
    finally:  # the crash: the tasks die, nothing is flushed or handed back, the connections drop
        dispatcher = engine._dispatcher
        await asyncio.gather(*(loop.stop() for loop in [*engine._loops, dispatcher._finisher._loop]))
        await dispatcher._cas_conn.close()
        await dispatcher._finisher._conn.close()
        await emitter.stop()
    assert watcher.lifecycle(post_id, PostDispatched) == []
    await pool.execute(
        "UPDATE schedules SET lease_until = now() - interval '1 second' WHERE post_id = $1", post_id
    )
    async with engine_factory("survivor"):
        await eventually(lambda: len(watcher.lifecycle(post_id, PostDispatched)) == 1, timeout=10)
        await eventually(
            lambda: pool.fetchval("SELECT state = 'sent' FROM schedules WHERE post_id = $1", post_id)
        )
    # produced again after the crash, with the same event id, so the publisher dedupes it
    assert due_ids(watcher)[f"due:{post_id}:twitter:1"] == 2


async def test_a_post_with_one_platform_dispatched_is_not_cancelled_at_all(pool: asyncpg.Pool) -> None:
    """A cancel that finds one platform's due event out refuses the whole post: the other platform
    still fires, so the answer (409) is what happens, never a 'cancelled' post that is on a platform."""
    post_id = unique("split")
    await store(pool, post(post_id, Platform.TWITTER, Platform.LINKEDIN, at=in_seconds(60)))
    await pool.execute(
        "UPDATE schedules SET state = 'sent' WHERE post_id = $1 AND platform = 'twitter'", post_id
    )
    outcome = await store(
        pool,
        PostCancelRequested(post_id=post_id, business_id=7, request_id=unique("r"), requested_at=utcnow()),
    )
    (answer,) = outcome.records
    assert answer.headers["ce_type"] == PostCancelRefused.ce_type
    states = dict(await pool.fetch("SELECT platform, state FROM schedules WHERE post_id = $1", post_id))
    assert states == {"twitter": "sent", "linkedin": "pending"}

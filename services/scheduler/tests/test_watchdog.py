"""The stuck-work watchdog with the whole scheduler running (real Kafka, PostgreSQL): a sent due event
without a result is re-driven with its original id, fails after the last re-drive, and a result, a
retry or a cancel decides what is watched."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from herald_common.events import (
    PostCancelled,
    PostCancelRefused,
    PostCancelRequested,
    PostMissed,
    PostPublished,
    PostPublishFailed,
    PostRetryRequested,
    PostRetryScheduled,
    PublishedPart,
    utcnow,
)
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique
from herald_scheduler.emitter import Emitter
from herald_scheduler.settings import Settings
from herald_scheduler.watchdog import Watchdog, WatchdogConfig

from .conftest import Requests, Watcher, in_seconds, post

pytestmark = pytest.mark.infra
ANSWER_TIMEOUT = 1.5
MAX_REDRIVES = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "scheduler_answer_timeout_seconds": ANSWER_TIMEOUT,
            "scheduler_max_redrives": MAX_REDRIVES,
            "scheduler_watchdog_interval_seconds": 0.2,
        }
    )


async def state(pool: asyncpg.Pool, post_id: str, platform: str = "twitter") -> Any:
    return await pool.fetchrow(
        "SELECT state, attempt, redrives FROM schedules WHERE post_id = $1 AND platform = $2",
        post_id,
        platform,
    )


def due_ids(watcher: Watcher, post_id: str) -> Counter[str]:
    return Counter(s.envelope.id for s in watcher.due(post_id) if s.envelope)


def published(post_id: str, platform: Platform = Platform.TWITTER, attempt: int = 1) -> PostPublished:
    return PostPublished(
        post_id=post_id,
        business_id=7,
        occurred_at=utcnow(),
        platform=platform,
        attempt=attempt,
        parts=(PublishedPart(index=0, platform_post_id="x1"),),
    )


@pytest.mark.usefixtures("app")
async def test_a_due_event_without_a_result_is_re_driven_with_its_original_id_after_the_bound(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    post_id = unique("silent")
    await requests.send(post(post_id))
    await eventually(lambda: len(watcher.due(post_id)) >= 2, timeout=15)
    first, again = watcher.due(post_id)[:2]
    assert first.envelope is not None and again.envelope is not None
    assert first.envelope.id == again.envelope.id == f"due:{post_id}:twitter:1"
    assert again.value == first.value  # the same due event, byte for byte
    assert again.received - first.received >= ANSWER_TIMEOUT - 0.2  # not before the bound
    row = await eventually(lambda: state(pool, post_id))
    assert (row["state"], row["attempt"]) == ("sent", 1)
    assert row["redrives"] >= 1


@pytest.mark.usefixtures("app")
async def test_a_target_that_never_answers_fails_after_the_last_re_drive_with_the_reason(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    post_id = unique("never")
    await requests.send(post(post_id, Platform.LINKEDIN))
    (failed,) = await eventually(lambda: watcher.lifecycle(post_id, PostPublishFailed), timeout=20)
    assert (failed.platform, failed.attempt, failed.error_code) == (Platform.LINKEDIN, 1, "no_result")
    assert f"no result came from the linkedin publisher after {MAX_REDRIVES} re-drives" in failed.reason
    assert due_ids(watcher, post_id) == Counter({f"due:{post_id}:linkedin:1": 1 + MAX_REDRIVES})
    row = await state(pool, post_id, "linkedin")
    assert (row["state"], row["redrives"]) == ("failed", MAX_REDRIVES)


@pytest.mark.usefixtures("app")
async def test_a_result_stops_the_re_drives_of_its_attempt(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    ok, refused, missed, control = (unique(n) for n in ("ok", "refused", "missed", "control"))
    for post_id in (ok, refused, missed, control):
        await requests.send(post(post_id))
    await eventually(lambda: all(watcher.due(p) for p in (ok, refused, missed, control)), timeout=10)
    (missed_due,) = watcher.due(missed)
    assert missed_due.envelope is not None
    await requests.send_result(published(ok))
    await requests.send_result(
        PostPublishFailed(
            post_id=refused,
            business_id=7,
            occurred_at=utcnow(),
            platform=Platform.TWITTER,
            attempt=1,
            reason="no",
        )
    )
    await requests.send_result(
        PostMissed(
            post_id=missed,
            business_id=7,
            occurred_at=utcnow(),
            platform=Platform.TWITTER,
            due_at=missed_due.envelope.data.due_at,
            reason="late",
        )
    )
    for post_id in (ok, refused, missed):
        await eventually(lambda p=post_id: state(pool, p), timeout=10)
        await eventually(lambda p=post_id: _state_is(pool, p, "answered"), timeout=10)
    # The control got no result: once it has failed, every deadline of the others has passed too.
    await eventually(lambda: watcher.lifecycle(control, PostPublishFailed), timeout=20)
    for post_id in (ok, refused, missed):
        row = await state(pool, post_id)
        assert row["state"] == "answered"
        # Re-drives that went out before the result was settled are counted in the row (a slow
        # machine may need one); none followed it, and the target never failed.
        assert row["redrives"] < MAX_REDRIVES
        assert due_ids(watcher, post_id) == Counter({f"due:{post_id}:twitter:1": 1 + row["redrives"]})
        assert watcher.lifecycle(post_id, PostPublishFailed) == []


async def _state_is(pool: asyncpg.Pool, post_id: str, expected: str, platform: str = "twitter") -> bool:
    row = await state(pool, post_id, platform)
    return row is not None and row["state"] == expected


@pytest.mark.usefixtures("app")
async def test_a_retry_moves_the_watch_to_the_new_attempt_and_a_stale_result_does_not_end_it(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    post_id = unique("retried")
    await requests.send(post(post_id, Platform.TWITTER, Platform.LINKEDIN))
    await eventually(lambda: len(watcher.due(post_id)) == 2, timeout=10)
    await requests.send(
        PostRetryRequested(
            post_id=post_id,
            business_id=7,
            platform=Platform.TWITTER,
            attempt=1,
            not_before=in_seconds(0.3),
            reason="HTTP 503",
        )
    )
    await eventually(lambda: watcher.lifecycle(post_id, PostRetryScheduled), timeout=10)
    await eventually(lambda: f"due:{post_id}:twitter:2" in due_ids(watcher, post_id), timeout=10)
    # Attempt 2 is out (0.3 s after the retry was handled): a re-drive of attempt 1 produced before
    # the retry moved the row has been seen by now (a slow machine may need one).
    attempt_1_sent = due_ids(watcher, post_id)[f"due:{post_id}:twitter:1"]
    # A late result of attempt 1, then linkedin's result on the same partition: once linkedin is
    # answered, the stale one has been handled, and it must not have ended attempt 2's watch.
    await requests.send_result(published(post_id, Platform.TWITTER, attempt=1))
    await requests.send_result(published(post_id, Platform.LINKEDIN, attempt=1))
    await eventually(lambda: _state_is(pool, post_id, "answered", "linkedin"), timeout=10)
    assert (await state(pool, post_id))["attempt"] == 2
    await eventually(lambda: due_ids(watcher, post_id)[f"due:{post_id}:twitter:2"] == 2, timeout=15)
    await requests.send_result(published(post_id, Platform.TWITTER, attempt=2))
    await eventually(lambda: _state_is(pool, post_id, "answered"), timeout=10)
    # attempt 1 was no longer re-driven once the retry request had moved the row to attempt 2
    assert due_ids(watcher, post_id)[f"due:{post_id}:twitter:1"] == attempt_1_sent


@pytest.mark.usefixtures("app")
async def test_a_cancelled_target_is_never_re_driven_and_a_refused_cancel_leaves_it_watched(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    cancelled, dispatched = unique("cancelled"), unique("dispatched")
    await requests.send(post(cancelled, at=in_seconds(30)))
    await requests.send(post(dispatched))
    await requests.send(
        PostCancelRequested(post_id=cancelled, business_id=7, request_id=unique("r"), requested_at=utcnow())
    )
    await eventually(lambda: watcher.due(dispatched), timeout=10)
    await requests.send(
        PostCancelRequested(post_id=dispatched, business_id=7, request_id=unique("r"), requested_at=utcnow())
    )
    await eventually(lambda: watcher.lifecycle(cancelled, PostCancelled), timeout=10)
    (refusal,) = await eventually(lambda: watcher.lifecycle(dispatched, PostCancelRefused), timeout=10)
    assert refusal.reason.value == "already_dispatched"
    # the dispatched one is still waited for: re-driven, then failed with the watchdog's reason
    await eventually(lambda: watcher.lifecycle(dispatched, PostPublishFailed), timeout=20)
    assert due_ids(watcher, dispatched)[f"due:{dispatched}:twitter:1"] == 1 + MAX_REDRIVES
    assert (await state(pool, cancelled))["state"] == "cancelled"
    assert watcher.due(cancelled) == []


async def test_two_replicas_sweeping_at_once_re_drive_each_overdue_row_once(
    settings: Settings, pool: asyncpg.Pool, watcher: Watcher
) -> None:
    ids = [unique("overdue") for _ in range(60)]
    await pool.execute(
        "INSERT INTO schedules (post_id, platform, business_id, state, due_at, scheduled_for, late_policy,"
        " grace_seconds, target, answer_by)"
        " SELECT id, 'twitter', 7, 'sent', $2, $2, 'publish', 300, $3::jsonb, $2 FROM unnest($1::text[]) id",
        ids,
        utcnow() - timedelta(seconds=5),
        post(ids[0]).targets[0].model_dump_json(),
    )
    config = WatchdogConfig(answer_timeout=60, max_redrives=3, interval=60, batch=7)
    emitters = [Emitter(settings.kafka_bootstrap_servers, f"{settings.scheduler_owner_id}-{n}") for n in "ab"]
    for emitter in emitters:
        await emitter.start()
    try:
        a, b = (Watchdog(pool, e, config) for e in emitters)
        results = await asyncio.gather(a.sweep(), b.sweep(), a.sweep())
    finally:
        for emitter in emitters:
            await emitter.stop()
    assert sum(r.redriven for r in results) == len(ids)
    assert await pool.fetchval("SELECT count(*) FROM schedules WHERE redrives = 1 AND state = 'sent'") == len(
        ids
    )
    expected = {f"due:{i}:twitter:1" for i in ids}
    await eventually(lambda: {s.envelope.id for s in watcher.seen if s.envelope} >= expected)
    seen = Counter(s.envelope.id for s in watcher.seen if s.envelope and s.envelope.id in expected)
    assert set(seen.values()) == {1}

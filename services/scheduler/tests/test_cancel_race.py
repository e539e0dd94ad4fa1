"""Cancel against fire, thousands of times: a cancel that reaches the scheduler at least 20 ms before
the due instant always wins; a post is never both cancelled and dispatched; every answer
(PostCancelled / PostCancelRefused) is what finally happened.

A replica's engine fires the posts (real PostgreSQL, real Kafka). The cancels go through the same
intake as the requests consumer's batches, from one consumer-like task, so the instant each one
reaches the scheduler is known. HERALD_CANCEL_RACES sets how many (default 10,000; more for a soak).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from herald_common.events import (
    Envelope,
    PostCancelled,
    PostCancelRefused,
    PostCancelRequested,
    PostDue,
    utcnow,
)
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique
from herald_scheduler.emitter import Emitter
from herald_scheduler.handlers import RequestIntake
from herald_scheduler.service import SchedulingService
from herald_scheduler.settings import Settings

from .conftest import EngineFactory, Watcher, in_seconds, post
from .test_engine import store

pytestmark = pytest.mark.infra
RACES = int(os.environ.get("HERALD_CANCEL_RACES", "10000"))
RATE = 300.0
"""Due instants per second."""
MARGIN = 0.020
"""A cancel that reaches the scheduler this long before the due instant must win."""
EARLIEST, LATEST = 0.060, -0.030
"""Cancels are sent from 60 ms before to 30 ms after the due instant (they reach it a little later)."""
STORE_CHUNK = 1000


@dataclass
class Race:
    post_id: str
    platforms: tuple[Platform, ...]
    due: float
    send_at: float
    request_id: str = field(default_factory=lambda: unique("cancel"))
    reached: float | None = None


def races(start: float, rng: random.Random) -> list[Race]:
    out = []
    for n in range(RACES):
        platforms = (Platform.TWITTER, Platform.LINKEDIN) if n % 5 == 0 else (Platform.TWITTER,)
        due = start + n / RATE
        out.append(Race(unique("race"), platforms, due, due - rng.uniform(LATEST, EARLIEST)))
    return out


async def cancel_as_the_consumer_would(intake: RequestIntake, all_races: list[Race]) -> None:
    """A feeder puts each cancel on a queue at its instant; one consumer takes what is there, as a
    batch, and hands it to the intake: that hand-over is when the cancel reaches the scheduler.

    The feeder sends ahead by the queue's recent wait, so that on a slow machine the cancels still
    reach the intake around their instants (what counts is when each one reached it, measured)."""
    queue: asyncio.Queue[tuple[Race, float]] = asyncio.Queue()
    wait = [0.0]  # moving average of the time a cancel spends queued

    async def feed() -> None:
        for race in sorted(all_races, key=lambda r: r.send_at):
            if (pause := race.send_at - wait[0] - time.time()) > 0:
                await asyncio.sleep(pause)
            queue.put_nowait((race, time.time()))

    async def consume() -> None:
        done = 0
        while done < len(all_races):
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            reached = time.time()
            envelopes: list[Envelope[Any]] = []
            for race, queued in batch:
                wait[0] = 0.9 * wait[0] + 0.1 * min(reached - queued, 1.0)
                race.reached = reached
                event = PostCancelRequested(
                    post_id=race.post_id, business_id=7, request_id=race.request_id, requested_at=utcnow()
                )
                envelopes.append(
                    Envelope(f"cancel:{race.request_id}", "/herald/tests", event.ce_type, utcnow(), event)
                )
            await intake.handle(envelopes)
            done += len(batch)

    await asyncio.gather(feed(), consume())


@dataclass
class Seen:
    answers: dict[str, list[Any]]
    due: Counter[tuple[str, str]]


def collect(watcher: Watcher) -> Seen:
    answers: dict[str, list[Any]] = defaultdict(list)
    due: Counter[tuple[str, str]] = Counter()
    for s in watcher.seen:
        if s.envelope is None:
            continue
        data = s.envelope.data
        if isinstance(data, PostCancelled | PostCancelRefused):
            answers[data.post_id].append(data)
        elif isinstance(data, PostDue):
            due[(data.post_id, data.target.platform.value)] += 1
    return Seen(answers, due)


async def test_cancel_against_fire_the_rule_holds_in_every_race(
    settings: Settings, pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    all_races = races(0.0, random.Random(20_000))
    for i in range(0, len(all_races), STORE_CHUNK):  # stored far ahead, then brought 3 s close
        await store(
            pool,
            *(post(r.post_id, *r.platforms, at=in_seconds(3600)) for r in all_races[i : i + STORE_CHUNK]),
        )
    start = time.time() + 3.0
    for race in all_races:
        race.due, race.send_at = race.due + start, race.send_at + start
    await pool.execute(
        "UPDATE schedules s SET due_at = to_timestamp(d.due_ts), scheduled_for = to_timestamp(d.due_ts)"
        " FROM unnest($1::text[], $2::float8[]) AS d(post_id, due_ts) WHERE s.post_id = d.post_id",
        [r.post_id for r in all_races],
        [r.due for r in all_races],
    )
    emitter = Emitter(settings.kafka_bootstrap_servers, f"{settings.scheduler_owner_id}-intake")
    await emitter.start()
    try:
        async with engine_factory("racer") as engine:
            intake = RequestIntake(pool, SchedulingService(engine.terms, 300), engine, emitter)
            await cancel_as_the_consumer_would(intake, all_races)
            await eventually(lambda: len(collect(watcher).answers) == RACES, timeout=30)
            refused = {p for p, a in collect(watcher).answers.items() if isinstance(a[0], PostCancelRefused)}
            expected_due = {
                (r.post_id, p.value) for r in all_races if r.post_id in refused for p in r.platforms
            }
            await eventually(lambda: set(collect(watcher).due) >= expected_due, timeout=30)
            # every fired row is marked sent only after its PostDispatched: then nothing is in flight
            await eventually(
                lambda: pool.fetchval(
                    "SELECT count(*) = 0 FROM schedules WHERE state IN ('leased', 'firing')"
                ),
                timeout=30,
            )
    finally:
        await emitter.stop()

    seen = collect(watcher)
    states = {
        (r["post_id"], r["platform"]): r["state"]
        for r in await pool.fetch("SELECT post_id, platform, state FROM schedules")
    }
    outcomes: Counter[str] = Counter()
    for race in all_races:
        assert race.reached is not None
        (answer,) = seen.answers[race.post_id]  # exactly one answer per cancel
        keys = [(race.post_id, p.value) for p in race.platforms]
        lead_ms = (race.due - race.reached) * 1000
        if isinstance(answer, PostCancelled):
            # cancelled: no platform was dispatched, every row is cancelled
            assert all(seen.due[k] == 0 for k in keys), race
            assert all(states[k] == "cancelled" for k in keys), race
            assert set(answer.platforms) == set(race.platforms)
        else:
            assert answer.reason.value == "already_dispatched"
            assert all(seen.due[k] == 1 for k in keys), race
            assert all(states[k] == "sent" for k in keys), race
            assert lead_ms < MARGIN * 1000, f"a cancel {lead_ms:.1f} ms before the due instant lost: {race}"
        bucket = "≥20 ms before" if lead_ms >= 20 else "0-20 ms before" if lead_ms >= 0 else "after"
        outcomes[f"{bucket}: {'cancelled' if isinstance(answer, PostCancelled) else 'refused'}"] += 1
    lags = sorted((r.reached or 0) - r.send_at for r in all_races)
    print(
        f"\n{RACES} cancel/fire races: {dict(sorted(outcomes.items()))};"
        f" reached minus intended instant p50 {lags[len(lags) // 2] * 1000:.1f} ms, p99 {lags[len(lags) * 99 // 100] * 1000:.1f} ms"
    )
    assert outcomes["≥20 ms before: cancelled"] > RACES // 100  # the suite did race where the rule applies
    assert outcomes["after: refused"] > RACES // 20  # and where fire won

"""Cancel against fire, thousands of times: a cancel that reaches the scheduler at least 20 ms before
the due instant always wins; a post is never both cancelled and dispatched; every answer
(PostCancelled / PostCancelRefused) is what finally happened.

The harness (race_support): a replica's engine fires the posts; the cancels reach the intake from
one consumer-like task at measured instants. HERALD_CANCEL_RACES sets how many (default 10,000;
more for a soak).
"""

from __future__ import annotations

import os
import random
from collections import Counter

import asyncpg
import pytest

from herald_common.events import PostCancelled, PostCancelRefused, PostCancelRequested, utcnow
from herald_common.testing import eventually, unique
from herald_scheduler.settings import Settings

from .conftest import EngineFactory, Watcher
from .race_support import (
    EARLIEST,
    LATEST,
    MARGIN,
    Race,
    Seen,
    bucket,
    collect_seen,
    platforms_of,
    racing_intake,
    report,
    send_as_the_consumer_would,
    store_due_soon,
)

pytestmark = pytest.mark.infra
RACES = int(os.environ.get("HERALD_CANCEL_RACES", "10000"))
RATE = 300.0
"""Due instants per second."""


def races(rng: random.Random) -> list[Race]:
    out = []
    for n in range(RACES):
        due = n / RATE
        out.append(Race(unique("race"), platforms_of(n), due, due - rng.uniform(LATEST, EARLIEST)))
    return out


def cancel_of(race: Race) -> PostCancelRequested:
    return PostCancelRequested(
        post_id=race.post_id, business_id=7, request_id=race.request_id, requested_at=utcnow()
    )


def collect(watcher: Watcher) -> Seen:
    return collect_seen(watcher, PostCancelled, PostCancelRefused)


async def test_cancel_against_fire_the_rule_holds_in_every_race(
    settings: Settings, pool: asyncpg.Pool, engine_factory: EngineFactory, watcher: Watcher
) -> None:
    all_races = races(random.Random(20_000))
    await store_due_soon(pool, all_races)
    async with racing_intake(settings, pool, engine_factory) as intake:
        await send_as_the_consumer_would(intake, all_races, cancel_of, "cancel")
        await eventually(lambda: len(collect(watcher).answers) == RACES, timeout=30)
        refused = {p for p, a in collect(watcher).answers.items() if isinstance(a[0], PostCancelRefused)}
        expected_due = {(r.post_id, p.value) for r in all_races if r.post_id in refused for p in r.platforms}
        await eventually(lambda: set(collect(watcher).due) >= expected_due, timeout=30)
        # every fired row is marked sent only after its PostDispatched: then nothing is in flight
        await eventually(
            lambda: pool.fetchval("SELECT count(*) = 0 FROM schedules WHERE state IN ('leased', 'firing')"),
            timeout=30,
        )

    seen = collect(watcher)
    states = {
        (r["post_id"], r["platform"]): r["state"]
        for r in await pool.fetch("SELECT post_id, platform, state FROM schedules")
    }
    outcomes: Counter[str] = Counter()
    for race in all_races:
        (answer,) = seen.answers[race.post_id]  # exactly one answer per cancel
        keys = [(race.post_id, p.value) for p in race.platforms]
        lead_ms = race.lead_ms
        if isinstance(answer, PostCancelled):
            # cancelled: no platform was dispatched, every row is cancelled
            assert all(not seen.due[k] for k in keys), race
            assert all(states[k] == "cancelled" for k in keys), race
            assert set(answer.platforms) == set(race.platforms)
        else:
            assert answer.reason.value == "already_dispatched"
            assert all(len(seen.due[k]) == 1 for k in keys), race
            assert all(states[k] == "sent" for k in keys), race
            assert lead_ms < MARGIN * 1000, f"a cancel {lead_ms:.1f} ms before the due instant lost: {race}"
        outcomes[f"{bucket(race)}: {'cancelled' if isinstance(answer, PostCancelled) else 'refused'}"] += 1
    report("cancel/fire", all_races, outcomes)
    assert outcomes["≥20 ms before: cancelled"] > RACES // 100  # the suite did race where the rule applies
    assert outcomes["after: refused"] > RACES // 20  # and where fire won

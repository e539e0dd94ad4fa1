"""The harness the cancel/fire and edit/fire suites share: races due at known instants, requests
handed to the real intake as the requests consumer would, at measured instants, and the report.

A replica's engine fires the posts (real PostgreSQL, real Kafka). The requests go through the same
intake as the consumer's batches, from one consumer-like task, so the instant each one reaches the
scheduler is known."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg

from herald_common.events import Envelope, PostDue, utcnow
from herald_common.platforms import Platform
from herald_common.testing import unique
from herald_scheduler.emitter import Emitter
from herald_scheduler.handlers import RequestIntake
from herald_scheduler.service import SchedulingService
from herald_scheduler.settings import Settings

from .conftest import EngineFactory, Watcher, in_seconds, post
from .test_engine import store

MARGIN = 0.020
"""A request that reaches the scheduler this long before the due instant must win."""
EARLIEST, LATEST = 0.060, -0.030
"""Requests are sent from 60 ms before to 30 ms after the due instant (they reach it a little later)."""
STORE_CHUNK = 1000


@dataclass
class Race:
    post_id: str
    platforms: tuple[Platform, ...]
    due: float
    """Seconds: from the start of the races until `start`, then since the epoch."""
    send_at: float
    request_id: str = field(default_factory=lambda: unique("request"))
    reached: float | None = None

    @property
    def lead_ms(self) -> float:
        """How long before its due instant the request reached the scheduler (negative: after)."""
        assert self.reached is not None
        return (self.due - self.reached) * 1000


R = TypeVar("R", bound=Race)


def platforms_of(n: int) -> tuple[Platform, ...]:
    """Every fifth race is on two platforms."""
    return (Platform.TWITTER, Platform.LINKEDIN) if n % 5 == 0 else (Platform.TWITTER,)


async def store_due_soon(pool: asyncpg.Pool, races: Sequence[Race], lead: float = 3.0) -> None:
    """Store every race's post far ahead, then bring them all `lead` seconds close at once (storing
    thousands takes longer than the lead)."""
    for i in range(0, len(races), STORE_CHUNK):
        await store(
            pool, *(post(r.post_id, *r.platforms, at=in_seconds(3600)) for r in races[i : i + STORE_CHUNK])
        )
    start = time.time() + lead
    for race in races:
        race.due, race.send_at = race.due + start, race.send_at + start
    await pool.execute(
        "UPDATE schedules s SET due_at = to_timestamp(d.due_ts), scheduled_for = to_timestamp(d.due_ts)"
        " FROM unnest($1::text[], $2::float8[]) AS d(post_id, due_ts) WHERE s.post_id = d.post_id",
        [r.post_id for r in races],
        [r.due for r in races],
    )


@asynccontextmanager
async def racing_intake(
    settings: Settings, pool: asyncpg.Pool, engine_factory: EngineFactory
) -> AsyncIterator[RequestIntake]:
    """A replica's engine firing, and the intake the requests consumer would hand batches to."""
    emitter = Emitter(settings.kafka_bootstrap_servers, f"{settings.scheduler_owner_id}-intake")
    await emitter.start()
    try:
        async with engine_factory("racer") as engine:
            yield RequestIntake(pool, SchedulingService(engine.terms, 300), engine, emitter)
    finally:
        await emitter.stop()


async def send_as_the_consumer_would(
    intake: RequestIntake, races: list[R], event_of: Callable[[R], Any], kind: str
) -> None:
    """A feeder puts each request on a queue at its instant; one consumer takes what is there, as a
    batch, and hands it to the intake: that hand-over is when the request reaches the scheduler.

    The feeder sends ahead by the queue's recent wait, so that on a slow machine the requests still
    reach the intake around their instants (what counts is when each one reached it, measured)."""
    queue: asyncio.Queue[tuple[R, float]] = asyncio.Queue()
    wait = [0.0]  # moving average of the time a request spends queued

    async def feed() -> None:
        for race in sorted(races, key=lambda r: r.send_at):
            if (pause := race.send_at - wait[0] - time.time()) > 0:
                await asyncio.sleep(pause)
            queue.put_nowait((race, time.time()))

    async def consume() -> None:
        done = 0
        while done < len(races):
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            reached = time.time()
            envelopes: list[Envelope[Any]] = []
            for race, queued in batch:
                wait[0] = 0.9 * wait[0] + 0.1 * min(reached - queued, 1.0)
                race.reached = reached
                event = event_of(race)
                envelopes.append(
                    Envelope(f"{kind}:{race.request_id}", "/herald/tests", event.ce_type, utcnow(), event)
                )
            await intake.handle(envelopes)
            done += len(batch)

    await asyncio.gather(feed(), consume())


def bucket(race: Race) -> str:
    return "≥20 ms before" if race.lead_ms >= 20 else "0-20 ms before" if race.lead_ms >= 0 else "after"


def report(what: str, races: Sequence[Race], outcomes: Counter[str]) -> None:
    lags = sorted((r.reached or 0) - r.send_at for r in races)
    print(
        f"\n{len(races)} {what} races: {dict(sorted(outcomes.items()))};"
        f" reached minus intended instant p50 {lags[len(lags) // 2] * 1000:.1f} ms,"
        f" p99 {lags[len(lags) * 99 // 100] * 1000:.1f} ms"
    )


@dataclass
class Seen:
    answers: dict[str, list[Any]]
    """Post id -> the answers of the given types, in the order they came."""
    due: dict[tuple[str, str], list[PostDue]]
    """(post id, platform) -> the due events fired."""


def collect_seen(watcher: Watcher, *answer_types: type[Any]) -> Seen:
    answers: dict[str, list[Any]] = defaultdict(list)
    due: dict[tuple[str, str], list[PostDue]] = defaultdict(list)
    for s in watcher.seen:
        if s.envelope is None:
            continue
        data = s.envelope.data
        if isinstance(data, answer_types):
            answers[data.post_id].append(data)
        elif isinstance(data, PostDue):
            due[(data.post_id, data.target.platform.value)].append(data)
    return Seen(answers, due)

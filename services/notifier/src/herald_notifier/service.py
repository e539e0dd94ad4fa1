"""Intake (lifecycle events -> delivery rows) and the delivery loop (due rows -> signed requests).

The loop wakes on NOTIFY from whoever made deliveries due (this or another replica's intake, the
gateway's redeliver/enable) and otherwise polls for due retries. Up to `concurrency` requests are
in flight; a finished one wakes the loop, so the next event of that post goes out at once."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from herald_common.background import BackgroundLoop
from herald_common.db.listen import Listener
from herald_common.events import Envelope
from herald_common.logs import get_logger
from herald_common.webhooks.catalog import messages_for
from herald_common.webhooks.store import WAKE_CHANNEL, WebhookStore
from herald_notifier import post_status
from herald_notifier import repository as repo
from herald_notifier.metrics import DELIVERIES, DELIVERY_LATENCY, DISABLED_ENDPOINTS, PENDING
from herald_notifier.sender import send
from herald_notifier.settings import Settings

log = get_logger(__name__)
JITTER = 0.2


def retry_delay(
    schedule: Sequence[float], attempts: int, rng: random.Random = random.Random()
) -> float | None:
    """The wait after the `attempts`-th failed attempt, jittered; None once the schedule is spent."""
    if attempts > len(schedule):
        return None
    base = schedule[attempts - 1]
    return base * (1 + rng.uniform(-JITTER, JITTER))


async def store(conn: asyncpg.Connection, envelopes: Sequence[Envelope[Any]]) -> int:
    """Messages in the order of their lifecycle events: a post's overall change follows the
    per-platform message of the event that caused it."""
    messages = []
    for envelope in envelopes:
        messages.extend(messages_for(envelope))
        changed = await post_status.follow(conn, envelope)
        if changed is not None:
            messages.append(changed)
    return await repo.store_messages(conn, messages)


class Deliverer:
    def __init__(
        self, pool: asyncpg.Pool, store: WebhookStore, http: httpx.AsyncClient, settings: Settings
    ) -> None:
        self.pool, self.store, self.http, self.s = pool, store, http, settings
        self.wake = asyncio.Event()
        # A wake-up at every (re)connection too: deliveries made due while no one listened.
        self._wake_listener = Listener(
            settings.database_url,
            WAKE_CHANNEL,
            lambda _payload: self.wake.set(),
            what="webhook wake-up listener",
            on_listening=self.wake.set,
        )
        self._inflight: set[asyncio.Task[None]] = set()
        self._loops = [
            BackgroundLoop(self._run, name="webhook-deliveries"),
            BackgroundLoop(self._wake_listener.run_forever, name="webhook-wake"),
            BackgroundLoop(self._gauges, name="webhook-gauges"),
        ]

    def start(self) -> None:
        for loop in self._loops:
            loop.start()

    async def stop(self) -> None:
        for loop in self._loops:
            await loop.stop()
        if self._inflight:  # let requests in flight finish and record (bounded by their timeout)
            await asyncio.wait(self._inflight, timeout=self.s.notifier_request_timeout_seconds + 1)

    async def _run(self) -> None:
        while True:
            self.wake.clear()
            free = self.s.notifier_concurrency - len(self._inflight)
            claimed: list[repo.Claimed] = []
            if free > 0:
                try:
                    async with self.pool.acquire() as conn, conn.transaction():
                        claimed = await repo.claim(conn, free, self.s.lease_seconds)
                except Exception:  # the database restarting: wait a poll interval, then again
                    log.exception("claiming webhook deliveries failed; retrying")
            for item in claimed:
                task = asyncio.create_task(self._deliver(item))
                self._inflight.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(claimed) == free:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.s.notifier_poll_interval_seconds)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self.wake.set()

    async def _deliver(self, item: repo.Claimed) -> None:
        try:
            secrets = self.store.signing_secrets(item.endpoint_id, item.row)
            outcome = await send(
                self.http,
                url=item.url,
                message_id=item.message_id,
                body=item.body,
                secrets=secrets,
                timeout=self.s.notifier_request_timeout_seconds,
                allow_loopback=self.s.webhooks_allow_loopback,
            )
            async with self.pool.acquire() as conn, conn.transaction():
                if outcome.ok:
                    assert outcome.status_code is not None
                    await repo.delivered(conn, item.id, outcome.status_code, outcome.latency_ms)
                    DELIVERIES.labels("delivered").inc()
                    DELIVERY_LATENCY.observe((datetime.now(UTC) - item.occurred_at).total_seconds())
                    return
                delay = retry_delay(self.s.notifier_retry_schedule_seconds, item.attempts)
                await repo.failed_attempt(
                    conn,
                    item.id,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error or "failed",
                    retry_in=delay,
                )
                DELIVERIES.labels("retry" if delay is not None else "gave_up").inc()
        except Exception:  # the lease brings the row back; the loop must go on
            log.exception("recording a webhook delivery failed", extra={"delivery_id": item.id})

    async def _gauges(self) -> None:
        while True:
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                pending, disabled = await repo.counts(self.pool)
                PENDING.set(pending)
                DISABLED_ENDPOINTS.set(disabled)
            await asyncio.sleep(self.s.notifier_gauge_interval_seconds)

"""Firing one batch of due rows: the compare-and-set, then produce the due events (encoded when the
rows were leased); the lifecycle events and the `sent` mark follow in the Finisher, coalesced.

The CAS (leased -> firing) is the single point where fire and cancel race. Once a row is
`firing` its due event goes out whatever happens: if this process dies before `sent`, the lease
expires and another replica produces it again with the same event id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from herald_common.logs import get_logger
from herald_common.retrying import retry
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler.connections import HeldConnection
from herald_scheduler.emitter import Emitter
from herald_scheduler.finisher import Finisher
from herald_scheduler.metrics import DUE_EVENTS_EMITTED, LATENESS, MISSED
from herald_scheduler.model import LeaseTerms, Schedule, State
from herald_scheduler.tracing import end_due_spans, start_due_span

log = get_logger(__name__)


class Dispatcher:
    def __init__(
        self,
        pool: Any,
        emitter: Emitter,
        terms: LeaseTerms,
        max_inflight: int,
        finish_interval: float,
        answer_timeout: float,
    ) -> None:
        self._emitter = emitter
        self._terms = terms
        self._slots = asyncio.Semaphore(max_inflight)
        self._inflight: set[asyncio.Task[None]] = set()
        self.producing: set[tuple[str, str]] = set()
        """Keys past the CAS that this replica has not marked sent yet."""
        self._finisher = Finisher(pool, emitter, finish_interval, self.producing, answer_timeout)
        self._cas_conn = HeldConnection(pool)

    def start(self) -> None:
        self._finisher.start()

    def encode(self, row: Schedule) -> Schedule:
        """The row with its due event encoded (same event id as at any other time)."""
        span, traceparent = start_due_span(row)
        wire = self._emitter.prepare(messages.due(row, traceparent))
        return dataclasses.replace(row, due_record=wire, due_span=span)

    async def fire(self, batch: Sequence[Schedule]) -> None:
        """Run the CAS now (in due order), then produce in the background so the next batch's CAS
        need not wait for this batch's acknowledgements; at most `max_inflight` batches overlap."""
        await self._slots.acquire()
        try:
            now = datetime.now(UTC)
            fresh = [r for r in batch if not r.firing]
            won: dict[tuple[str, str], str] = {}
            if fresh:
                async with self._cas_conn.use() as conn:
                    won = {
                        (r["post_id"], r["platform"]): r["state"]
                        for r in await repo.fire(conn, self._terms.at(now), fresh, now)
                    }
            to_send = [r for r in batch if r.firing or won.get(r.key) == State.FIRING]
            missed = [r for r in fresh if won.get(r.key) == State.MISSED]
        except BaseException:
            self._slots.release()
            raise
        if not to_send and not missed:
            self._slots.release()
            return
        self.producing.update(r.key for r in to_send)
        task = asyncio.create_task(self._produce(to_send, missed, now))
        self._inflight.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            log.error("firing a batch failed", exc_info=task.exception())

    async def _produce(self, to_send: list[Schedule], missed: list[Schedule], now: datetime) -> None:
        prepare = self._emitter.prepare
        wires = [r.due_record or prepare(messages.due(r)) for r in to_send]
        if wires:  # while Kafka is unavailable the rows stay `firing` and leased to us
            await retry(lambda: self._emitter.send_prepared(wires), what="producing due events")
        emitted = time.time()
        for row in to_send:
            LATENESS.observe(max(0.0, emitted - row.due_ts))
            DUE_EVENTS_EMITTED.labels(row.platform).inc()
        if missed:
            MISSED.inc(len(missed))
        end_due_spans(to_send)
        self._finisher.add(to_send, missed, now)

    async def drain(self, grace_seconds: float) -> None:
        """Let batches being produced finish (on shutdown); what does not finish is re-driven elsewhere."""
        started = time.monotonic()
        if self._inflight:
            _, pending = await asyncio.wait(set(self._inflight), timeout=grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._finisher.close(max(0.5, grace_seconds - (time.monotonic() - started)))
        await self._cas_conn.close()

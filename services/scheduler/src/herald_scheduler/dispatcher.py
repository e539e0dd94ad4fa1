"""Firing one batch of due rows: the compare-and-set, then produce, then mark sent.

The CAS (leased -> firing) is the single point where fire and cancel race. Once a row is
`firing` its due event goes out whatever happens: if this process dies before `sent`, the lease
expires and another replica produces it again with the same event id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from herald_common.events import KafkaRecord
from herald_common.logs import get_logger
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler.emitter import Emitter
from herald_scheduler.metrics import DUE_EVENTS_EMITTED, LATENESS, MISSED
from herald_scheduler.model import Schedule, State

log = get_logger(__name__)


class Dispatcher:
    def __init__(self, pool: Any, emitter: Emitter, owner: str, max_inflight: int) -> None:
        self._pool = pool
        self._emitter = emitter
        self._owner = owner
        self._slots = asyncio.Semaphore(max_inflight)
        self._inflight: set[asyncio.Task[None]] = set()
        self.producing: set[tuple[str, str]] = set()
        """Keys past the CAS whose records are being produced by this replica."""

    async def fire(self, batch: Sequence[Schedule]) -> None:
        """Run the CAS now (in due order), then produce in the background so the next batch's CAS
        need not wait for this batch's acknowledgements; at most `max_inflight` batches overlap."""
        await self._slots.acquire()
        try:
            now = datetime.now(UTC)
            fresh = [r for r in batch if not r.firing]
            won: dict[tuple[str, str], str] = {}
            if fresh:
                async with self._pool.acquire() as conn:
                    won = {
                        (r["post_id"], r["platform"]): r["state"]
                        for r in await repo.fire(conn, self._owner, fresh, now)
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
        records: list[KafkaRecord] = []
        for row in to_send:
            records.append(messages.due(row))
            records.append(messages.dispatched(row, now))
        records.extend(messages.missed(row, now) for row in missed)
        delay = 0.2
        while True:
            try:
                await self._emitter.send_all(records)
                break
            except Exception as exc:  # Kafka unavailable: the rows stay `firing` and leased to us
                log.warning("producing due events failed, retrying in %.1fs: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        emitted = time.time()
        for row in to_send:
            LATENESS.observe(max(0.0, emitted - row.due_ts))
            DUE_EVENTS_EMITTED.labels(row.platform).inc()
        if missed:
            MISSED.inc(len(missed))
        try:
            if to_send:
                async with self._pool.acquire() as conn:
                    await repo.mark_sent(conn, to_send)
        finally:
            self.producing.difference_update(r.key for r in to_send)

    async def drain(self, grace_seconds: float) -> None:
        """Let batches being produced finish (on shutdown); what does not finish is re-driven elsewhere."""
        if not self._inflight:
            return
        _, pending = await asyncio.wait(set(self._inflight), timeout=grace_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

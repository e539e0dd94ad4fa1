"""One replica's timing engine: a lease sweep that fills the timer heap, and a fire loop that sleeps
until the heap's next due instant (or the next sweep), then fires what is due.

Rows due within the lease horizon are leased (UPDATE ... FOR UPDATE SKIP LOCKED) into this
replica's heap; several replicas claim disjoint rows. Rows leased by a replica that died are taken
over once their lease expires. On stop the leases still held are handed back as pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from herald_common.background import BackgroundLoop
from herald_common.logs import get_logger
from herald_common.runtime import until_up
from herald_scheduler import repository as repo
from herald_scheduler.dispatcher import Dispatcher
from herald_scheduler.emitter import Emitter
from herald_scheduler.metrics import HEAP_SIZE, PENDING_SCHEDULES
from herald_scheduler.model import LeaseTerms, Schedule
from herald_scheduler.timers import TimerHeap

log = get_logger(__name__)
ARM_CHUNK = 25
"""Rows encoded between two yields to the event loop (about 1 ms of work). A due batch needs several
loop turns (CAS reply, produce, sender, ack), and each turn can wait behind one chunk: 200-row
chunks (8 ms) put ~40 ms spikes on every claim at 5,000/s."""


@dataclass(frozen=True)
class EngineConfig:
    sweep_interval: float = 0.2
    claim_batch: int = 250
    max_heap: int = 200_000
    fire_batch: int = 2000
    max_inflight: int = 4
    finish_interval: float = 0.02
    gauge_interval: float = 15.0
    drain_timeout: float = 10.0
    answer_timeout: float = 90.0


class Engine:
    def __init__(self, pool: Any, emitter: Emitter, terms: LeaseTerms, config: EngineConfig) -> None:
        self.terms = terms
        self._pool = pool
        self._config = config
        self._heap = TimerHeap()
        self._dispatcher = Dispatcher(
            pool, emitter, terms, config.max_inflight, config.finish_interval, config.answer_timeout
        )
        self._held: dict[str, int] = {}
        """Post id -> cancels of it being handled right now; their due rows wait (see `hold`)."""
        self._parked: dict[str, list[Schedule]] = {}
        self._wake_fire = asyncio.Event()
        self._loops = [
            BackgroundLoop(self._fire_loop, name="scheduler-fire"),
            BackgroundLoop(self._sweep_loop, name="scheduler-sweep"),
            BackgroundLoop(self._gauge_loop, name="scheduler-gauge"),
        ]

    @property
    def owner(self) -> str:
        return self.terms.owner

    async def start(self) -> None:
        self._dispatcher.start()
        # Fill the heap before the first wait, so nothing overdue waits a full interval. PostgreSQL
        # may be restarting: wait for it as at start, rather than fail the start-up.
        await until_up("postgres", self.sweep)
        for loop in self._loops:
            loop.start()

    async def stop(self) -> None:
        await asyncio.gather(*(loop.stop() for loop in self._loops))
        await self._dispatcher.drain(self._config.drain_timeout)
        self._heap.drain()
        released = await repo.release(self._pool, self.owner)
        log.info("scheduler engine stopped", extra={"owner": self.owner, "leases_released": released})

    def arm(self, rows: Iterable[Schedule]) -> None:
        """Rows leased to us outside the sweep (just stored, or re-armed for a retry)."""
        encode = self._dispatcher.encode
        for row in rows:
            self._heap.push(encode(row))
        self._wake_fire.set()

    def hold(self, post_ids: Iterable[str]) -> None:
        """Cancels of these posts have just arrived: none of their rows is fired until `release`. Called
        at receipt, before any await, so a cancel that arrives before the due instant always beats this
        replica's fire; the cancel's transaction then flips the rows and the CAS finds them cancelled."""
        for post_id in post_ids:
            self._held[post_id] = self._held.get(post_id, 0) + 1

    def release(self, post_ids: Iterable[str]) -> None:
        """The cancels are decided (committed or failed): parked rows go back to the heap, where the CAS
        decides them (cancelled rows lose it; a row a failed cancel left leased fires, late)."""
        for post_id in post_ids:
            left = self._held.get(post_id, 0) - 1
            if left > 0:
                self._held[post_id] = left
                continue
            self._held.pop(post_id, None)
            for row in self._parked.pop(post_id, ()):
                self._heap.push(row)
        self._wake_fire.set()

    def _park_held(self, batch: list[Schedule]) -> list[Schedule]:
        free = []
        for row in batch:
            if row.post_id in self._held:
                self._parked.setdefault(row.post_id, []).append(row)
            else:
                free.append(row)
        return free

    async def _arm_from_db(self, rows: list[Any]) -> None:
        """Rows a sweep leased: encoded a chunk at a time, yielding in between, so that encoding
        thousands of rows never holds back a fire that is due meanwhile."""
        for start in range(0, len(rows), ARM_CHUNK):
            self.arm(repo.to_schedule(r) for r in rows[start : start + ARM_CHUNK])
            await asyncio.sleep(0)

    async def sweep(self) -> int:
        """Lease what is due soon and what dead replicas left behind; returns the rows taken."""
        taken = 0
        for claim in (self._claim_due, self._take_over):
            while (room := self._config.max_heap - len(self._heap)) > 0:
                now = datetime.now(UTC)
                limit = min(room, self._config.claim_batch)
                rows = await claim(self.terms.at(now), now, limit)
                await self._arm_from_db(rows)
                taken += len(rows)
                if len(rows) < limit:
                    break
        return taken

    async def _claim_due(self, lease: Any, now: datetime, limit: int) -> list[Any]:
        return await repo.claim_due(self._pool, lease, limit)

    async def _take_over(self, lease: Any, now: datetime, limit: int) -> list[Any]:
        rows = await repo.take_over_expired(self._pool, lease, now, limit)
        if rows:
            log.warning("took over expired leases", extra={"owner": self.owner, "rows": len(rows)})
        # Our own rows whose lease ran out while we were behind: taking them over renewed the lease;
        # the ones we are producing right now must not be produced a second time.
        producing = self._dispatcher.producing
        return [r for r in rows if (r["post_id"], r["platform"]) not in producing]

    async def _fire_loop(self) -> None:
        heap, fire_batch = self._heap, self._config.fire_batch
        while True:
            self._wake_fire.clear()
            batch = heap.pop_due(time.time(), fire_batch)
            if batch and self._held:
                batch = self._park_held(batch)
            if batch:
                try:
                    await self._dispatcher.fire(batch)
                except Exception:
                    log.exception("compare-and-set failed; the leases expire and the rows are re-driven")
                continue
            HEAP_SIZE.set(len(heap))
            next_due = heap.next_due()
            delay = self._config.sweep_interval if next_due is None else next_due - time.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake_fire.wait(), delay)

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.sweep_interval)
            try:
                await self.sweep()
            except Exception:
                log.exception("lease sweep failed; trying again at the next interval")

    async def _gauge_loop(self) -> None:
        while True:
            try:
                PENDING_SCHEDULES.set(await repo.count_pending(self._pool))
            except Exception:
                log.exception("counting pending schedules failed")
            await asyncio.sleep(self._config.gauge_interval)

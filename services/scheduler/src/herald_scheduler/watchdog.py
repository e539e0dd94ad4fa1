"""The stuck-work watchdog: no target stays waiting for a result forever.

Every due event the scheduler sends is marked `sent` with a deadline (`answer_by`, the answer
timeout from now). A result on the lifecycle topic for that attempt (see results.py) marks it
`answered`. A sweep, every few seconds on every replica, takes the rows past their deadline:

- while re-drives are left, the due event is produced again with its ORIGINAL event id (the
  publishers' dedupe and ledger make that safe: a publisher that already published every part only
  says PostPublished again) and the deadline moves one timeout on;
- after the last re-drive the target is `failed`, with a PostPublishFailed that says why.

Replicas sweep side by side: the rows are taken FOR UPDATE SKIP LOCKED (as the lease sweep claims
due rows) and stay locked until their events are acknowledged and the transaction commits, so a
row is handled by one replica per deadline. A crash before the commit leaves the row overdue, and
it is re-driven again (same event id).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from herald_common.background import BackgroundLoop
from herald_common.events import KafkaRecord
from herald_common.logs import get_logger
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler import watchdog_repository as wrepo
from herald_scheduler.emitter import Emitter
from herald_scheduler.metrics import REDRIVES, STUCK_TARGETS, UNANSWERED_FAILURES
from herald_scheduler.model import State

log = get_logger(__name__)


@dataclass(frozen=True)
class WatchdogConfig:
    answer_timeout: float = 90.0
    max_redrives: int = 3
    interval: float = 5.0
    batch: int = 500


@dataclass(frozen=True)
class SweepResult:
    redriven: int = 0
    failed: int = 0


class Watchdog:
    def __init__(self, pool: Any, emitter: Emitter, config: WatchdogConfig) -> None:
        self._pool = pool
        self._emitter = emitter
        self._config = config
        self._loop = BackgroundLoop(self._run, name="scheduler-watchdog")

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def sweep(self) -> SweepResult:
        """Handle every overdue row, a batch per transaction; then refresh the stuck gauge."""
        redriven = failed = 0
        while True:
            now = datetime.now(UTC)
            async with self._pool.acquire() as conn, conn.transaction():
                rows = await wrepo.take_overdue(
                    conn,
                    now,
                    now + timedelta(seconds=self._config.answer_timeout),
                    self._config.max_redrives,
                    self._config.batch,
                )
                records = [self._record(r, now) for r in rows]
                # Produced inside the transaction: the rows stay locked (and overdue, if this fails).
                await self._emitter.send_all(records)
            for r in rows:
                if r["state"] == State.FAILED:
                    failed += 1
                    UNANSWERED_FAILURES.labels(r["platform"]).inc()
                else:
                    redriven += 1
                    REDRIVES.labels(r["platform"]).inc()
            if len(rows) < self._config.batch:
                break
        if redriven or failed:
            log.warning("re-drove unanswered due events", extra={"redriven": redriven, "failed": failed})
        STUCK_TARGETS.set(await wrepo.count_stuck(self._pool, datetime.now(UTC)))
        return SweepResult(redriven, failed)

    def _record(self, r: Any, now: datetime) -> KafkaRecord:
        row = repo.to_schedule(r)
        if r["state"] == State.FAILED:
            return messages.unanswered(row, r["redrives"], self._config.answer_timeout, now)
        return messages.due(row, row.traceparent)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._config.interval)
            try:
                await self.sweep()
            except Exception:
                log.exception("watchdog sweep failed; trying again at the next interval")

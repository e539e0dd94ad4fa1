"""What follows a fired batch once its due events are acknowledged: the lifecycle events
(PostDispatched, PostMissed) and the `sent` mark, coalesced across batches every few milliseconds.

Off the lateness path: these records only feed the status store, and one UPDATE per interval
replaces one per batch. A row is marked sent only after its PostDispatched is acknowledged, so a
crash in between leaves it `firing`: its lease expires and a replica produces the due event and the
PostDispatched again, with the same event ids. For the same reason the `sent` mark is committed
without waiting for the WAL flush (`synchronous_commit = off`): losing it in a database crash costs
a re-drive, never a missed event. The compare-and-set and the claims stay synchronous.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from herald_common.background import BackgroundLoop
from herald_common.logs import get_logger
from herald_common.retrying import retry
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler.connections import HeldConnection
from herald_scheduler.emitter import Emitter, Wire
from herald_scheduler.model import Key, Schedule

log = get_logger(__name__)
ENCODE_CHUNK = 64
"""Records encoded between two yields to the event loop (~1 ms), so a large flush never delays a fire."""


class Finisher:
    def __init__(
        self, pool: Any, emitter: Emitter, interval: float, producing: set[Key], answer_timeout: float
    ) -> None:
        self._conn = HeldConnection(pool)
        self._answer_timeout = timedelta(seconds=answer_timeout)
        self._emitter = emitter
        self._interval = interval
        self._producing = producing
        self._announce: list[tuple[Schedule, datetime]] = []
        self._missed: list[tuple[Schedule, datetime]] = []
        self._to_mark: list[Schedule] = []
        self._wake = asyncio.Event()
        self._loop = BackgroundLoop(self._run, name="scheduler-finish")

    def start(self) -> None:
        self._loop.start()

    def add(self, fired: list[Schedule], missed: list[Schedule], now: datetime) -> None:
        """Rows whose due events are acknowledged (`fired`) and rows the CAS found missed."""
        self._announce.extend((r, now) for r in fired)
        self._missed.extend((r, now) for r in missed)
        self._wake.set()

    async def close(self, grace_seconds: float) -> None:
        """Finish what is queued (on shutdown); what does not finish is re-driven after the lease."""
        await self._loop.stop()
        try:
            await asyncio.wait_for(self.flush(), grace_seconds)
        except Exception:
            log.exception("finishing fired rows on shutdown failed; they are re-driven after their lease")
        finally:
            await self._conn.close()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self._interval)  # let the next batches join this flush
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("finishing fired rows failed; trying again")
                self._wake.set()

    async def flush(self) -> None:
        announce, missed = self._announce, self._missed
        if announce or missed:
            self._announce, self._missed = [], []
            try:
                await self._produce(announce, missed)
            except BaseException:  # cancelled (shutdown): keep them for the final flush
                self._announce[:0], self._missed[:0] = announce, missed
                raise
            self._to_mark.extend(r for r, _ in announce)
        if self._to_mark:
            rows = self._to_mark
            async with self._conn.use() as conn, conn.transaction():
                await repo.relax_commit(conn)
                await repo.mark_sent(conn, rows, datetime.now(UTC) + self._answer_timeout)
            self._to_mark = []
            self._producing.difference_update(r.key for r in rows)

    async def _produce(
        self, announce: list[tuple[Schedule, datetime]], missed: list[tuple[Schedule, datetime]]
    ) -> None:
        prepare = self._emitter.prepare
        wires: list[Wire] = []
        for i, (row, now) in enumerate(announce, 1):
            wires.append(prepare(messages.dispatched(row, now)))
            if i % ENCODE_CHUNK == 0:
                await asyncio.sleep(0)
        wires.extend(prepare(messages.missed(row, now)) for row, now in missed)
        # While Kafka is unavailable the rows stay `firing` and leased to us.
        await retry(lambda: self._emitter.send_prepared(wires), what="producing lifecycle events")

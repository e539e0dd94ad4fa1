"""The relay produces what the direct produce left: rows whose direct produce failed or never ran
(a crash between commit and produce), once they are older than `sweep_after`, and, when woken by
NOTIFY (cancels still notify; they are rare), everything in the table. Either way the stored
record is produced unchanged, so an event produced twice carries the same CloudEvents id.

One relay is active at a time (a PostgreSQL advisory lock held by its connection), which keeps
the outbox order across gateway replicas. A direct produce and the relay share one producer, so a
post's request is enqueued on its partition before a later cancel relayed by the same replica.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import asyncpg
import orjson

from herald_common.db.pool import connect
from herald_common.events import KafkaRecord
from herald_common.kafka.producer import Producer
from herald_common.logs import get_logger
from herald_gateway.background import BackgroundLoop
from herald_gateway.outbox import repository
from herald_gateway.outbox.metrics import OUTBOX_BACKLOG, RELAY_LAG

log = get_logger(__name__)


class OutboxRelay(BackgroundLoop):
    name = "outbox-relay"

    def __init__(
        self,
        dsn: str,  # the relay holds a connection of its own, and the leader's lock on it
        schema: str,
        producer: Producer,
        *,
        batch_size: int,
        fallback_poll: float,
        sweep_after: float,
    ) -> None:
        super().__init__()
        self.dsn, self.schema, self.producer = dsn, schema, producer
        self.batch_size, self.fallback_poll = batch_size, fallback_poll
        self.sweep_after = timedelta(seconds=sweep_after)
        self._wake = asyncio.Event()
        self.is_leader = False

    async def _run(self) -> None:
        while True:
            try:
                await self._lead()  # returns only by raising; leadership ends with its connection
            except Exception:  # a cancel (BaseException) still stops the loop
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(1.0)

    async def _lead(self) -> None:
        conn = await connect(self.dsn, schema=self.schema)
        try:
            while not await repository.try_lead(conn):  # noqa: ASYNC110
                await asyncio.sleep(2.0)  # another replica relays; stand by (the lock is in PostgreSQL)
            self.is_leader = True
            await conn.add_listener(repository.OUTBOX_CHANNEL, lambda *_: self._wake.set())
            notified = False
            while True:
                moved = await self.relay_batch(conn, everything=notified)
                if moved < self.batch_size:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.fallback_poll)
                    notified = self._wake.is_set()
        finally:
            self.is_leader = False
            await conn.close()

    async def relay_batch(self, conn: asyncpg.Connection, *, everything: bool = False) -> int:
        """Produces the oldest rows, in id order, up to the newest one older than `sweep_after`
        (younger ones are being produced directly), or up to the newest one (`everything`).
        Each statement commits on its own: rows are deleted only after Kafka acknowledged them."""
        rows = await repository.oldest(
            conn, self.batch_size, everything=everything, older_than=self.sweep_after
        )
        if rows:
            records = [
                KafkaRecord(r["topic"], bytes(r["key"]), bytes(r["value"]), orjson.loads(r["headers"]))
                for r in rows
            ]
            await self.producer.send_all(records)
            await repository.delete_produced(conn, [r["id"] for r in rows])
            for r in rows:
                RELAY_LAG.observe(float(r["age"]))
        OUTBOX_BACKLOG.set(await repository.backlog(conn))
        return len(rows)

"""Gets outbox events to Kafka: produced right after their commit, the relay sweeps what was not.

The accept path commits a post with its outbox row, then produces the event itself
(`DirectProducer`) and, once Kafka acknowledged it, deletes the row (in batches). Nothing on the
commit path wakes anyone: a NOTIFY there would hold PostgreSQL's notify-queue lock until the
commit is flushed and serialise every accept behind the previous one's WAL flush.

The relay (`OutboxRelay`) produces what is left: rows whose direct produce failed or never ran (a
crash between commit and produce), once they are older than `sweep_after`, and, when woken by
NOTIFY (cancels still notify; they are rare), everything in the table. Either way the stored
record is produced unchanged, so an event produced twice carries the same CloudEvents id.

One relay is active at a time (a PostgreSQL advisory lock held by its connection), which keeps
the outbox order across gateway replicas. A direct produce and the relay share one producer, so a
post's request is enqueued on its partition before a later cancel relayed by the same replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge, Histogram

from herald_common.db.pool import connect
from herald_common.events import KafkaRecord
from herald_common.kafka.producer import send_all
from herald_common.logs import get_logger
from herald_gateway.background import BackgroundLoop
from herald_gateway.posts.repository import OUTBOX_CHANNEL

log = get_logger(__name__)
RELAY_LOCK = 0x6865_7261_6C64  # "herald": one relay per database

OUTBOX_BACKLOG = Gauge("herald_outbox_backlog_events", "Events in the outbox not yet relayed (leader's view)")
RELAY_LAG = Histogram(
    "herald_outbox_relay_lag_seconds",
    "From outbox commit to Kafka acknowledgement, produced directly or by the relay",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DIRECT_PRODUCES = Counter(
    "herald_outbox_direct_produces_total",
    "Events produced right after their commit: acked, or left to the relay (failed or too slow)",
    ["outcome"],
)


class DirectProducer(BackgroundLoop):
    """Produces a committed event at once; deletes the outbox rows of acknowledged events in batches."""

    name = "outbox-direct"

    def __init__(
        self,
        dsn: str,
        schema: str,
        producer: AIOKafkaProducer,
        *,
        wait_seconds: float,
        flush_every: float = 0.05,
    ) -> None:
        super().__init__()
        self.dsn, self.schema, self.producer = dsn, schema, producer
        self.wait_seconds, self.flush_every = wait_seconds, flush_every
        self._acked: list[int] = []
        self._conn: asyncpg.Connection | None = None

    async def produce(self, outbox_id: int, record: KafkaRecord) -> bool:
        """True when Kafka acknowledged within `wait_seconds`. Otherwise the row stays for the relay
        (a produce still in flight deletes it when its acknowledgement comes)."""
        committed = time.monotonic()
        sending = asyncio.ensure_future(send_all(self.producer, [record]))
        sending.add_done_callback(lambda done: self._on_done(outbox_id, done, committed))
        try:
            await asyncio.wait_for(asyncio.shield(sending), self.wait_seconds)
        except Exception as exc:  # Kafka down or slow: the post is committed, the relay will send it
            log.warning("direct produce failed; the outbox relay will send it", extra={"error": repr(exc)})
            return False
        return True

    def _on_done(self, outbox_id: int, done: asyncio.Future[None], committed: float) -> None:
        if done.cancelled() or done.exception() is not None:
            DIRECT_PRODUCES.labels("left_to_relay").inc()
            return
        DIRECT_PRODUCES.labels("acked").inc()
        RELAY_LAG.observe(time.monotonic() - committed)
        self._acked.append(outbox_id)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.flush_every)
            await self.flush()

    async def stop(self) -> None:
        await super().stop()
        with contextlib.suppress(Exception):
            await self.flush()  # what is left is produced again by the relay: harmless, same ids
        if self._conn is not None:
            await self._conn.close()

    async def flush(self) -> None:
        """One statement per interval on a connection of its own, whose commits do not wait for
        their WAL flush: a delete lost in a crash only means the relay produces those events once
        more, with the same ids — never a lost event."""
        if not self._acked:
            return
        ids, self._acked = self._acked, []
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await connect(self.dsn, schema=self.schema)
                await self._conn.execute("SET synchronous_commit = off")
            await delete_produced(self._conn, ids)
        except Exception:
            log.exception("could not delete produced outbox rows; retrying")
            self._acked.extend(ids)


async def delete_produced(conn: asyncpg.Connection, ids: list[int]) -> None:
    await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", ids)


class OutboxRelay(BackgroundLoop):
    name = "outbox-relay"

    def __init__(
        self,
        dsn: str,
        schema: str,
        producer: AIOKafkaProducer,
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
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                self.is_leader = False
                await asyncio.sleep(1.0)

    async def _lead(self) -> None:
        conn = await connect(self.dsn, schema=self.schema)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK):  # noqa: ASYNC110
                await asyncio.sleep(2.0)  # another replica relays; stand by (the lock is in PostgreSQL)
            self.is_leader = True
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
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
        (younger ones are being produced directly), or up to the newest one (`everything`)."""
        rows = await conn.fetch(
            "SELECT id, topic, key, value, headers, extract(epoch from clock_timestamp() - created_at) AS age"
            " FROM outbox WHERE id <= (SELECT max(id) FROM outbox"
            " WHERE $2 OR created_at < clock_timestamp() - $3::interval)"
            " ORDER BY id LIMIT $1",
            self.batch_size,
            everything,
            self.sweep_after,
        )
        if not rows:
            OUTBOX_BACKLOG.set(await conn.fetchval("SELECT count(*) FROM outbox"))
            return 0
        records = [
            KafkaRecord(r["topic"], bytes(r["key"]), bytes(r["value"]), orjson.loads(r["headers"]))
            for r in rows
        ]
        await send_all(self.producer, records)
        await delete_produced(conn, [r["id"] for r in rows])
        for r in rows:
            RELAY_LAG.observe(float(r["age"]))
        OUTBOX_BACKLOG.set(await conn.fetchval("SELECT count(*) FROM outbox"))
        return len(rows)

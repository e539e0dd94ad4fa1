"""Relays the outbox to Kafka: woken by NOTIFY at commit, so an accepted post leaves in milliseconds.

One relay is active at a time (a PostgreSQL advisory lock held by its connection), which keeps
the outbox order — and so each post's event order — intact across gateway replicas. If that
replica dies, its connection closes, the lock is released and another replica takes over.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from prometheus_client import Gauge, Histogram

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
    "From outbox commit to Kafka acknowledgement",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class OutboxRelay(BackgroundLoop):
    name = "outbox-relay"

    def __init__(
        self, dsn: str, schema: str, producer: AIOKafkaProducer, *, batch_size: int, fallback_poll: float
    ) -> None:
        super().__init__()
        self.dsn, self.schema, self.producer = dsn, schema, producer
        self.batch_size, self.fallback_poll = batch_size, fallback_poll
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
            while True:
                moved = await self.relay_batch(conn)
                if moved < self.batch_size:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.fallback_poll)
        finally:
            self.is_leader = False
            await conn.close()

    async def relay_batch(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            "SELECT id, topic, key, value, headers, extract(epoch from clock_timestamp() - created_at) AS age"
            " FROM outbox ORDER BY id LIMIT $1",
            self.batch_size,
        )
        if not rows:
            OUTBOX_BACKLOG.set(0)
            return 0
        records = [
            KafkaRecord(r["topic"], bytes(r["key"]), bytes(r["value"]), orjson.loads(r["headers"]))
            for r in rows
        ]
        await send_all(self.producer, records)
        await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [r["id"] for r in rows])
        for r in rows:
            RELAY_LAG.observe(float(r["age"]))
        OUTBOX_BACKLOG.set(await conn.fetchval("SELECT count(*) FROM outbox"))
        return len(rows)

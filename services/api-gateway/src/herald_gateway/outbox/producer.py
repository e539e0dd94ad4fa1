"""The direct produce: a committed event goes to Kafka at once; acknowledged rows are deleted in
batches. Nothing on the commit path wakes anyone: a NOTIFY there would hold PostgreSQL's
notify-queue lock until the commit is flushed and serialise every accept behind the previous
one's WAL flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg

from herald_common.db.pool import connect
from herald_common.events import KafkaRecord
from herald_common.kafka.producer import Producer
from herald_common.logs import get_logger
from herald_gateway.background import BackgroundLoop
from herald_gateway.outbox import repository
from herald_gateway.outbox.metrics import DIRECT_PRODUCES, RELAY_LAG

log = get_logger(__name__)


class DirectProducer(BackgroundLoop):
    """Produces a committed event at once; deletes the outbox rows of acknowledged events in batches."""

    name = "outbox-direct"

    def __init__(
        self,
        dsn: str,
        schema: str,
        producer: Producer,
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
        sending = asyncio.ensure_future(self.producer.send_all([record]))
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
            await repository.delete_produced(self._conn, ids)
        except Exception:
            log.exception("could not delete produced outbox rows; retrying")
            self._acked.extend(ids)

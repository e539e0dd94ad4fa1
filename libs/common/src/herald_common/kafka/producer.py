"""The one way Herald produces to Kafka: the outbox relay and its direct path, the scheduler, the
publishers and the dead-letter path all send `KafkaRecord`s (CloudEvents already encoded by
`events.encode`) through a `Producer`.

- Idempotent, acks=all: the client's own retries never duplicate or reorder a partition.
- A record that carries a trace context is produced inside a PRODUCER span of that trace.
- Few records go through aiokafka's `send()`, so concurrent callers share produce requests (linger).
  Many at once are appended to per-partition record batches (`create_batch()`): `send()` costs
  ~20 µs a record (a coroutine, partitioning, accumulator bookkeeping), appending a few.
- The partition is chosen by aiokafka's default partitioner (murmur2 of the key, as the Java
  client) on both paths, so a post keeps its partition whichever path or service produced it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import ProducerClosed
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.structs import RecordMetadata

from herald_common.events.envelope import KafkaRecord
from herald_common.kafka.security import NO_SECURITY
from herald_common.kafka.tracing import publish_spans

CONSTANT_HEADERS = frozenset({"ce_specversion", "ce_source", "ce_type", "content-type"})
BATCHED_FROM = 16
"""From this many records in one call, `send_all` builds record batches itself."""


@dataclass(frozen=True, slots=True)
class Wire:
    """A record ready to append to a batch: partition chosen, headers encoded."""

    topic: str
    partition: int
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class Producer:
    def __init__(
        self,
        bootstrap_servers: str,
        client_id: str,
        security: Mapping[str, Any] = NO_SECURITY,
        *,
        linger_ms: int = 1,
        stamp: Mapping[str, str] | None = None,
        request_timeout_ms: int = 10_000,
    ) -> None:
        """`linger_ms`: how long a record waits for others to share its produce request (paths that
        send one record per call trade a few milliseconds for far fewer requests). `stamp`: headers
        added to every record (the scheduler names the replica that produced it)."""
        self._stamp = [(k, v.encode()) for k, v in (stamp or {}).items()]
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, list[int]] = {}
        self._encoded: dict[str, bytes] = {}
        """Header values shared by every record (spec version, source, type): encoded, and allocated, once."""
        self._options: dict[str, Any] = dict(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            max_batch_size=256 * 1024,
            request_timeout_ms=request_timeout_ms,
            partitioner=self._partitioner,
            **security,
        )
        self._client: AIOKafkaProducer | None = None

    @property
    def _producer(self) -> AIOKafkaProducer:
        if self._client is None:  # not started, or stopped: as aiokafka's own closed producer says
            raise ProducerClosed()
        return self._client

    async def start(self) -> None:
        """Connects. Made here, not in __init__, because aiokafka's client needs a running event
        loop, and a failed start leaves nothing half-made behind: it may simply be called again."""
        client = AIOKafkaProducer(**self._options)
        try:
            await client.start()
        except BaseException:
            await client.stop()
            raise
        self._client = client

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.stop()
            self._client = None

    async def learn(self, *topics: str) -> None:
        """Fetch these topics' metadata now: the first send to a topic otherwise waits for it."""
        for topic in topics:
            self._partitions[topic] = sorted(await self._producer.partitions_for(topic))

    async def send_all(self, records: Sequence[KafkaRecord]) -> None:
        """Send every record and return once the broker acknowledged all of them (raises if any
        failed). Records of one key go to one partition in the order given."""
        with publish_spans(records) as traced:
            if len(traced) >= BATCHED_FROM:
                await self.learn(*{r.topic for r in traced} - self._partitions.keys())
                await self.send_prepared([self.prepare(r) for r in traced])
                return
            await asyncio.gather(*[await self.send(r) for r in traced])

    async def send(self, record: KafkaRecord) -> asyncio.Future[RecordMetadata]:
        """Queue one record (untraced: `send_all` is the traced way); the future is its acknowledgement."""
        return await self._producer.send(
            record.topic, record.value, key=record.key, headers=self._headers(record)
        )

    def prepare(self, record: KafkaRecord) -> Wire:
        """Partition and header encoding, done once, possibly long before the record is sent (the
        scheduler prepares due events when it leases them). Needs the topic learned."""
        parts = self._partitions[record.topic]
        partition = self._partitioner(record.key, parts, parts)
        return Wire(record.topic, partition, record.key, record.value, self._headers(record))

    async def send_prepared(self, wires: Iterable[Wire]) -> None:
        """Returns once every record is acknowledged by all in-sync replicas; raises if any failed.
        Records of one partition keep their order. (Prepared records are not traced here: whoever
        prepared them carried the trace context in their headers.)"""
        producer = self._producer
        builders: dict[tuple[str, int], Any] = {}  # aiokafka BatchBuilder
        acks: list[Any] = []
        for w in wires:
            tp = (w.topic, w.partition)
            builder = builders.get(tp)
            if builder is None:
                builder = builders[tp] = producer.create_batch()
            if builder.append(timestamp=None, key=w.key, value=w.value, headers=w.headers) is None:
                acks.append(await producer.send_batch(builder, w.topic, partition=w.partition))
                builder = builders[tp] = producer.create_batch()
                builder.append(timestamp=None, key=w.key, value=w.value, headers=w.headers)
        for (topic, partition), builder in builders.items():
            acks.append(await producer.send_batch(builder, topic, partition=partition))
        if acks:
            await asyncio.gather(*acks)

    def _headers(self, record: KafkaRecord) -> list[tuple[str, bytes]]:
        encoded = self._encoded
        headers = []
        for k, v in record.headers.items():
            b = encoded.get(v)
            if b is None:
                b = v.encode()
                if k in CONSTANT_HEADERS:
                    encoded[v] = b
            headers.append((k, b))
        headers.extend(self._stamp)
        return headers

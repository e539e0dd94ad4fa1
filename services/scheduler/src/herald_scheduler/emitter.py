"""Batched producing: records are grouped per partition into aiokafka record batches, and a call
returns once every batch is acknowledged.

A dedicated aiokafka producer (idempotent, acks=all) rather than the FastStream broker's publish:
the fire path sends thousands of records per batch, and per-record middleware would dominate.
`send()` per record costs ~20 µs (a coroutine, partitioning, accumulator bookkeeping); appending to
a `create_batch()` builder costs a few. The partition is chosen with aiokafka's default partitioner
(murmur2 of the key, as the Java client), so a post keeps its partition whichever path produced it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from herald_common.events import KafkaRecord, topics
from herald_common.kafka.security import NO_SECURITY
from herald_common.platforms import Platform

REPLICA_HEADER = "herald_replica"
CONSTANT_HEADERS = frozenset({"ce_specversion", "ce_source", "ce_type", "content-type"})


@dataclass(frozen=True, slots=True)
class Wire:
    """A record ready to append to a batch: partition chosen, headers encoded."""

    topic: str
    partition: int
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class Emitter:
    def __init__(
        self, bootstrap_servers: str, replica: str, security: Mapping[str, Any] = NO_SECURITY
    ) -> None:
        # Every record names the replica that produced it: which one fired a due event is the first
        # question when one is late or doubled.
        self._replica = (REPLICA_HEADER, replica.encode())
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, list[int]] = {}
        self._encoded: dict[str, bytes] = {}
        """Header values shared by every record (spec version, source, type): encoded, and allocated, once."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=f"scheduler-{replica}",
            acks="all",
            enable_idempotence=True,
            linger_ms=0,  # batches are built here, whole: nothing is gained by waiting for more
            max_batch_size=256 * 1024,
            request_timeout_ms=15_000,
            partitioner=self._partitioner,
            **security,
        )

    async def start(self) -> None:
        await self._producer.start()
        # Fetch every topic's metadata now: the first send to a topic otherwise waits for it, and
        # that wait would land on the first due event of each platform.
        for topic in (*(topics.post_due_topic(p) for p in Platform), topics.POST_LIFECYCLE):
            await self._learn_partitions(topic)

    async def stop(self) -> None:
        await self._producer.stop()

    async def _learn_partitions(self, topic: str) -> list[int]:
        self._partitions[topic] = sorted(await self._producer.partitions_for(topic))
        return self._partitions[topic]

    def prepare(self, record: KafkaRecord) -> Wire:
        """Partition and header encoding, done once, possibly long before the record is sent.
        Needs the topic's partitions known (every topic the fire path uses is learned at start)."""
        parts = self._partitions[record.topic]
        partition = self._partitioner(record.key, parts, parts)
        encoded = self._encoded
        headers = []
        for k, v in record.headers.items():
            b = encoded.get(v)
            if b is None:
                b = v.encode()
                if k in CONSTANT_HEADERS:
                    encoded[v] = b
            headers.append((k, b))
        headers.append(self._replica)
        return Wire(record.topic, partition, record.key, record.value, headers)

    async def send_all(self, records: Iterable[KafkaRecord]) -> None:
        """Any records (topics learned on first use); see `send_prepared`."""
        wires = []
        for r in records:
            if r.topic not in self._partitions:
                await self._learn_partitions(r.topic)
            wires.append(self.prepare(r))
        await self.send_prepared(wires)

    async def send_prepared(self, wires: Iterable[Wire]) -> None:
        """Returns once every record is acknowledged by all in-sync replicas; raises if any failed.
        Records of one partition keep their order."""
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

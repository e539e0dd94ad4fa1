"""Batched producing: send every record of a batch, then wait for all acknowledgements at once.

A dedicated aiokafka producer (idempotent, acks=all) rather than the FastStream broker's publish:
the fire path sends thousands of records per batch, and per-record middleware would dominate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from herald_common.events import KafkaRecord, topics
from herald_common.platforms import Platform

REPLICA_HEADER = "herald_replica"


class Emitter:
    def __init__(self, bootstrap_servers: str, replica: str, linger_ms: int = 1) -> None:
        # Every record names the replica that produced it: which one fired a due event is the first
        # question when one is late or doubled.
        self._replica = [(REPLICA_HEADER, replica.encode())]
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=f"scheduler-{replica}",
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            max_batch_size=256 * 1024,
            request_timeout_ms=15_000,
        )

    async def start(self) -> None:
        await self._producer.start()
        # Fetch every topic's metadata now: the first send to a topic otherwise waits for it, and
        # that wait would land on the first due event of each platform.
        for topic in (*(topics.post_due_topic(p) for p in Platform), topics.POST_LIFECYCLE):
            await self._producer.partitions_for(topic)

    async def stop(self) -> None:
        await self._producer.stop()

    async def send_all(self, records: Sequence[KafkaRecord]) -> None:
        """Returns once every record is acknowledged by all in-sync replicas; raises if any failed."""
        if not records:
            return
        send, replica = self._producer.send, self._replica
        pending = [
            await send(
                r.topic, r.value, key=r.key, headers=[(k, v.encode()) for k, v in r.headers.items()] + replica
            )
            for r in records
        ]
        await asyncio.gather(*pending)

"""A plain aiokafka producer for pre-encoded records (the outbox relay, batched emitters).

FastStream's publisher is the right tool for one event at a time from a handler; paths that
move thousands of already-encoded records a second send them here, all in flight at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer

from herald_common.events.envelope import KafkaRecord
from herald_common.kafka.security import NO_SECURITY
from herald_common.kafka.tracing import publish_spans


def create_producer(
    bootstrap_servers: str,
    client_id: str,
    security: Mapping[str, Any] = NO_SECURITY,
    *,
    linger_ms: int = 1,
) -> AIOKafkaProducer:
    """`linger_ms`: how long a record waits for others to share its produce request (paths that
    send one record per request trade a few milliseconds for far fewer requests)."""
    # Idempotent + acks=all: retries inside the client never duplicate or reorder a partition.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=linger_ms,
        max_batch_size=256 * 1024,
        request_timeout_ms=10_000,
        **security,
    )


async def send_all(producer: AIOKafkaProducer, records: Sequence[KafkaRecord]) -> None:
    """Send every record and wait until the broker acknowledged all of them (raises if any failed).

    Records of one key go to one partition in the order given, so per-post order holds. A record
    that carries a trace context is produced inside a PRODUCER span of that trace.
    """
    with publish_spans(records) as records:
        futures = [
            await producer.send(
                r.topic, r.value, key=r.key, headers=[(k, v.encode()) for k, v in r.headers.items()]
            )
            for r in records
        ]
        await asyncio.gather(*futures)

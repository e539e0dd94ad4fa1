"""Kafka subscribers of the gateway: the status store's intake. Parse, then delegate.

Commit rules (explicit on each subscriber; a router's subscriber does not inherit the broker's),
both `AckPolicy.NACK_ON_ERROR`, never auto-commit:
- lifecycle events come in batches: a batch's offsets are committed after its transaction
  committed, and a batch whose handler failed (the database restarting) is sought back and read
  again. Records are decoded one by one, so a bad one is dead-lettered alone and the rest go on.
- post requests come one at a time: an offset is committed after its handler returned.
Applying an event twice is a no-op (a status only moves forward; a post is recorded once).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.message import StreamMessage

from herald_common.events import Envelope, LifecycleEvent, PostRequested, topics
from herald_common.events.envelope import MalformedEvent, decode
from herald_common.kafka.batch import Rejected, batch_subscriber, dead_letter_rejected, decode_each
from herald_common.kafka.producer import Producer
from herald_common.logs import bind_post_id
from herald_gateway.posts.service import SOURCE
from herald_gateway.status.service import Lifecycle, StatusService

STATUS_GROUP = "api-gateway-status"
INTAKE_GROUP = "api-gateway-intake"


async def decode_unless_ours(msg: StreamMessage[Any]) -> Envelope[Any] | None:
    """None for the gateway's own events, before any decoding: each was committed with its post
    row, so there is nothing to record. A coroutine: a plain function would run in a worker thread."""
    if msg.headers.get("ce_source") == SOURCE:
        return None
    return decode(msg.body, msg.headers)


def _lifecycle(envelope: Envelope[Any]) -> Lifecycle:
    if not isinstance(envelope.data, LifecycleEvent):
        raise MalformedEvent(f"{envelope.type} does not belong on {topics.POST_LIFECYCLE}")
    return Lifecycle(envelope.dedupe_key, envelope.data)


async def decode_lifecycle(msg: StreamMessage[Any]) -> list[Lifecycle | Rejected]:
    """A coroutine: a plain function would run in a worker thread."""
    return decode_each(msg.raw_message, _lifecycle)


def build_router(
    status: StatusService, pool: asyncpg.Pool, producer: Producer, batch_size: int = 500
) -> KafkaRouter:
    """The handlers own the transactions: one per lifecycle batch, one per recorded request."""
    router = KafkaRouter()

    @batch_subscriber(router, topics.POST_LIFECYCLE, STATUS_GROUP, batch_size, decode_lifecycle)
    async def on_lifecycle(items: list[Lifecycle | Rejected]) -> None:
        events = await dead_letter_rejected(producer, items)
        if events:
            async with pool.acquire() as conn, conn.transaction():
                await status.apply_batch(conn, events)
            await status.announce(events)  # committed: waiting cancels and edits may be answered

    # One record at a time (a batch subscriber polls, which would delay the intake behind the
    # lifecycle events of the same post). The gateway's own records are skipped by the decoder.
    @router.subscriber(
        topics.POST_REQUESTS,
        group_id=INTAKE_GROUP,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=decode_unless_ours,
    )
    async def on_request(envelope: Envelope[PostRequested] | None) -> None:
        # Cancels and retries on this topic are the scheduler's business; only new posts matter here.
        if envelope is not None and isinstance(envelope.data, PostRequested):
            with bind_post_id(envelope.data.post_id):
                async with pool.acquire() as conn, conn.transaction():
                    await status.record_request(conn, envelope.data)

    return router

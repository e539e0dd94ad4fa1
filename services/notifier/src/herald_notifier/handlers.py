"""The notifier's consumer of POST_LIFECYCLE: decode, keep what becomes a webhook, store, wake.

Commit rule: a batch subscriber with `AckPolicy.NACK_ON_ERROR`, never auto-commit: the batch's
offsets are committed only after its delivery rows are committed; on an error the consumer seeks
back and the batch comes again. Storing is idempotent (one row per endpoint and webhook-id), so a
batch handled twice creates nothing twice. Records that do not decode are skipped here: the status
store's consumer of the same topic dead-letters them.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from herald_common.events import (
    Envelope,
    MalformedEvent,
    PostCancelled,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostScheduled,
    decode,
    topics,
)
from herald_notifier import service

# Only these lifecycle types become webhooks; the rest of the topic is never decoded.
WEBHOOK_TYPES = frozenset(
    c.ce_type.encode()
    for c in (
        PostScheduled,
        PostPublished,
        PostPartiallyPublished,
        PostPublishFailed,
        PostMissed,
        PostCancelled,
    )
)


def decode_batch(msg: StreamMessage[Any]) -> list[Envelope[Any]]:
    out: list[Envelope[Any]] = []
    for record in msg.raw_message:
        if dict(record.headers).get("ce_type") not in WEBHOOK_TYPES:
            continue  # cancel-refused and the like: not worth decoding
        try:
            out.append(decode(record.value, record.headers))
        except MalformedEvent:
            continue
    return out


def register(broker: KafkaBroker, pool: asyncpg.Pool, group_id: str, batch_size: int, wake: Any) -> None:
    @broker.subscriber(
        topics.POST_LIFECYCLE,
        group_id=group_id,
        batch=True,
        max_records=batch_size,
        batch_timeout_ms=50,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=decode_batch,
    )
    async def on_lifecycle(envelopes: list[Envelope[Any]]) -> None:
        if not envelopes:
            return
        async with pool.acquire() as conn, conn.transaction():
            stored = await service.store(conn, envelopes)
        if stored:
            wake.set()  # this replica's loop, without waiting for the NOTIFY round trip

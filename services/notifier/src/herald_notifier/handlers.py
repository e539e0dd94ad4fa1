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
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from herald_common.events import (
    Envelope,
    PostCancelled,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostScheduled,
    topics,
)
from herald_common.kafka.batch import Rejected, batch_subscriber, decode_each
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
    """The webhook-worthy events of a batch; cancel-refused and the like are not worth decoding,
    and records that do not decode are left to the status store's consumer to dead-letter."""
    decoded = decode_each(msg.raw_message, lambda envelope: envelope, wanted=_is_webhook_type)
    return [item for item in decoded if not isinstance(item, Rejected)]


def _is_webhook_type(headers: Any) -> bool:
    return dict(headers).get("ce_type") in WEBHOOK_TYPES


def register(broker: KafkaBroker, pool: asyncpg.Pool, group_id: str, batch_size: int, wake: Any) -> None:
    @batch_subscriber(broker, topics.POST_LIFECYCLE, group_id, batch_size, decode_batch, batch_timeout_ms=50)
    async def on_lifecycle(envelopes: list[Envelope[Any]]) -> None:
        if not envelopes:
            return
        async with pool.acquire() as conn, conn.transaction():
            stored = await service.store(conn, envelopes)
        if stored:
            wake.set()  # this replica's loop, without waiting for the NOTIFY round trip

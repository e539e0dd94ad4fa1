"""Kafka subscribers of the gateway: the status store's intake. Parse, then delegate.

Commit rule (explicit on each subscriber; a router's subscriber does not inherit the broker's):
`AckPolicy.NACK_ON_ERROR`, one record at a time: its offset is committed after the handler
returned, and a record whose handler failed is fetched again. Applying an event twice is a
no-op (a status only moves forward; a post is recorded once).
"""

from __future__ import annotations

from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.message import StreamMessage

from herald_common.events import Envelope, LifecycleEvent, PostRequested, topics
from herald_common.events.envelope import MalformedEvent, decode
from herald_common.logs import bind_post_id
from herald_gateway.posts.service import SOURCE
from herald_gateway.status.service import StatusService

STATUS_GROUP = "api-gateway-status"
INTAKE_GROUP = "api-gateway-intake"


async def decode_unless_ours(msg: StreamMessage[Any]) -> Envelope[Any] | None:
    """None for the gateway's own events, before any decoding: each was committed with its post
    row, so there is nothing to record. A coroutine: a plain function would run in a worker thread."""
    if msg.headers.get("ce_source") == SOURCE:
        return None
    return decode(msg.body, msg.headers)


def build_router(status: StatusService) -> KafkaRouter:
    router = KafkaRouter()

    @router.subscriber(
        topics.POST_LIFECYCLE,
        group_id=STATUS_GROUP,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
    )
    async def on_lifecycle(envelope: Envelope[LifecycleEvent]) -> None:
        if not isinstance(envelope.data, LifecycleEvent):
            raise MalformedEvent(f"{envelope.type} does not belong on {topics.POST_LIFECYCLE}")
        with bind_post_id(envelope.data.post_id):
            await status.apply(envelope.data)

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
                await status.record_request(envelope.data)

    return router

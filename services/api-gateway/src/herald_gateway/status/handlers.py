"""Kafka subscribers of the gateway: the status store's intake. Parse, then delegate."""

from __future__ import annotations

from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.message import StreamMessage

from herald_common.events import Envelope, LifecycleEvent, PostRequested, topics
from herald_common.events.envelope import MalformedEvent, decode
from herald_common.logs import bind_post_id, get_logger
from herald_gateway.posts.service import SOURCE
from herald_gateway.status.service import StatusService

log = get_logger(__name__)
STATUS_GROUP = "api-gateway-status"
INTAKE_GROUP = "api-gateway-intake"
OWN_SOURCE = ("ce_source", SOURCE.encode())


async def foreign_posts(msg: StreamMessage[Any]) -> list[PostRequested]:
    """The new posts other services produced straight to Kafka, from a batch of POST_REQUESTS.

    The gateway's own events are skipped before decoding: each was committed with its post row,
    so there is nothing to record. Cancels and retries are the scheduler's business, and so is
    dead-lettering a malformed record (it is this topic's consumer of record). A coroutine: a
    plain function would be run in a worker thread, a hop per batch."""
    posts = []
    for record in msg.raw_message:
        if OWN_SOURCE in record.headers:
            continue
        try:
            envelope = decode(record.value, record.headers)
        except MalformedEvent as exc:
            log.warning("skipping a malformed post request", extra={"reason": exc.reason})
            continue
        if isinstance(envelope.data, PostRequested):
            posts.append(envelope.data)
    return posts


def build_router(status: StatusService) -> KafkaRouter:
    router = KafkaRouter()

    @router.subscriber(topics.POST_LIFECYCLE, group_id=STATUS_GROUP, auto_offset_reset="earliest")
    async def on_lifecycle(envelope: Envelope[LifecycleEvent]) -> None:
        if not isinstance(envelope.data, LifecycleEvent):
            raise MalformedEvent(f"{envelope.type} does not belong on {topics.POST_LIFECYCLE}")
        with bind_post_id(envelope.data.post_id):
            await status.apply(envelope.data)

    # In batches: nearly every record here is the gateway's own, skipped in the decoder, so the
    # per-message cost of the consumer machinery is paid once per batch. The offsets of a batch
    # are committed after it was handled; an error redelivers it (recording a post is idempotent).
    @router.subscriber(
        topics.POST_REQUESTS,
        group_id=INTAKE_GROUP,
        auto_offset_reset="earliest",
        batch=True,
        max_records=500,
        batch_timeout_ms=200,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=foreign_posts,
    )
    async def on_requests(posts: list[PostRequested]) -> None:
        for post in posts:
            with bind_post_id(post.post_id):
                await status.record_request(post)

    return router

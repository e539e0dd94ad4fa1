"""The publisher's Kafka subscriber: take due events off its platform's topics and hand them to
the service, many at once.

Commit rule (explicit, `AckPolicy.MANUAL`: FastStream and aiokafka never commit on their own):
`InFlight` commits, per partition, the highest offset below which every due event was handled.
Due events of one post (the Kafka key) are handled one after another; the ledger makes a
redelivered one harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaRouter
from faststream.message import StreamMessage

from herald_common.events import Envelope, PostDue, decode, topics
from herald_common.events.envelope import MalformedEvent
from herald_common.kafka.deadletter import dead_letter
from herald_common.kafka.inflight import InFlight
from herald_common.logs import bind_post_id
from herald_common.platforms import Platform
from herald_common.publishing.service import PublishService


@dataclass(frozen=True)
class Delivery:
    """A fetched record and its event, or why it is not one. Decoding never raises here, so a
    bad record is dead-lettered by tracked work and counts as handled only once that is done."""

    message: StreamMessage[Any]
    envelope: Envelope[Any] | None
    rejection: str = ""


def decode_delivery(msg: StreamMessage[Any]) -> Delivery:
    try:
        return Delivery(msg, decode(msg.body, msg.headers))
    except MalformedEvent as exc:
        return Delivery(msg, None, exc.reason)


def build_router(
    platforms: Iterable[Platform],
    service: PublishService,
    group_id: str,
    in_flight: InFlight,
) -> KafkaRouter:
    router = KafkaRouter()
    due_topics = [topics.post_due_topic(p) for p in platforms]
    subscriber = router.subscriber(
        *due_topics,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,  # committed by `in_flight`, below finished work only
        listener=in_flight.listener,
        decoder=decode_delivery,
    )
    in_flight.bind(lambda: subscriber.consumer)

    async def handle(delivery: Delivery) -> None:
        due = delivery.envelope.data if delivery.envelope is not None else None
        if not isinstance(due, PostDue) or due.target.platform not in service.clients:
            reason = delivery.rejection or (
                f"{delivery.envelope and delivery.envelope.type} for {getattr(due, 'target', None)} "
                f"does not belong on {due_topics}"
            )
            await dead_letter(service.producer, delivery.message, reason, kind="malformed")
            return
        assert delivery.envelope is not None
        with bind_post_id(due.post_id):
            await service.handle(due, delivery.envelope.id)

    @subscriber
    async def on_due(delivery: Delivery) -> None:
        await in_flight.submit(delivery.message.raw_message, lambda: handle(delivery))

    return router

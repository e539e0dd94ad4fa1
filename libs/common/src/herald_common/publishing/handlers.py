"""The publisher's Kafka subscriber: take a due event off its platform's topic and delegate."""

from __future__ import annotations

from collections.abc import Iterable

from faststream.kafka import KafkaRouter

from herald_common.events import Envelope, PostDue, topics
from herald_common.events.envelope import MalformedEvent
from herald_common.logs import bind_post_id
from herald_common.platforms import Platform
from herald_common.publishing.service import PublishService


def build_router(platforms: Iterable[Platform], service: PublishService, group_id: str) -> KafkaRouter:
    router = KafkaRouter()
    due_topics = [topics.post_due_topic(p) for p in platforms]

    @router.subscriber(*due_topics, group_id=group_id, auto_offset_reset="earliest")
    async def on_due(envelope: Envelope[PostDue]) -> None:
        due = envelope.data
        if not isinstance(due, PostDue) or due.target.platform not in service.clients:
            raise MalformedEvent(
                f"{envelope.type} for {getattr(due, 'target', None)} does not belong on {due_topics}"
            )
        with bind_post_id(due.post_id):
            await service.handle(due, envelope.id)

    return router

"""The scheduler's producer: herald_common's `Producer`, with no linger (the fire path builds its
batches whole, so nothing is gained by waiting for more), every record naming the replica that
produced it, and the fire path's topics learned at start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from herald_common.events import topics
from herald_common.kafka.producer import Producer, Wire
from herald_common.kafka.security import NO_SECURITY
from herald_common.platforms import Platform

REPLICA_HEADER = "herald_replica"

__all__ = ["REPLICA_HEADER", "Emitter", "Wire"]


class Emitter(Producer):
    def __init__(
        self, bootstrap_servers: str, replica: str, security: Mapping[str, Any] = NO_SECURITY
    ) -> None:
        # Which replica fired a due event is the first question when one is late or doubled.
        super().__init__(
            bootstrap_servers,
            f"scheduler-{replica}",
            security,
            linger_ms=0,
            stamp={REPLICA_HEADER: replica},
            request_timeout_ms=15_000,
        )

    async def start(self) -> None:
        await super().start()
        # The first send to a topic would otherwise wait for its metadata, and that wait would land
        # on the first due event of each platform. If that fails, start may be called again: leave
        # no connected client behind.
        try:
            await self.learn(*(topics.post_due_topic(p) for p in Platform), topics.POST_LIFECYCLE)
        except BaseException:
            await self.stop()
            raise

"""The gateway waits briefly for the scheduler's answer to a cancel; any replica may receive it.

The replica whose lifecycle consumer gets the answer publishes it on a Redis channel named
after the cancel's request id; the replica holding the HTTP request listens there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis


def channel(request_id: str) -> str:
    return f"herald:cancel:{request_id}"


@asynccontextmanager
async def listen(redis: Redis, request_id: str) -> AsyncIterator[CancelAnswer]:
    """Subscribe before the cancel is sent, so an answer that comes back quickly is not missed."""
    pubsub = redis.pubsub()
    await pubsub.subscribe(channel(request_id))
    try:
        yield CancelAnswer(pubsub)
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()


class CancelAnswer:
    def __init__(self, pubsub: object) -> None:
        self._pubsub = pubsub

    async def wait(self, timeout: float) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=left)  # type: ignore[attr-defined]
            if msg and msg.get("type") == "message":
                data = msg["data"]
                return data.decode() if isinstance(data, bytes) else str(data)
        return None


async def announce(redis: Redis, request_id: str, outcome: str) -> None:
    await redis.publish(channel(request_id), outcome)

"""Creates Herald's topics explicitly (the broker never auto-creates them)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from herald_common.events.topics import DEAD_LETTER, all_topics
from herald_common.kafka.security import NO_SECURITY
from herald_common.logs import get_logger

log = get_logger(__name__)

DEAD_LETTER_RETENTION_MS = str(30 * 24 * 3600 * 1000)  # a month to look at and replay what failed


async def ensure_topics(
    bootstrap_servers: str,
    partitions: int,
    *,
    timeout: float = 60.0,
    security: Mapping[str, Any] = NO_SECURITY,
) -> list[str]:
    """Create every missing topic; returns the ones created. Existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000, **security)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in all_topics() if t not in existing]
        if not wanted:
            return []
        new = [
            NewTopic(
                t,
                num_partitions=partitions,
                replication_factor=1,
                topic_configs={"retention.ms": DEAD_LETTER_RETENTION_MS} if t == DEAD_LETTER else {},
            )
            for t in wanted
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # another process created them first
            await admin.create_topics(new)
        log.info("created topics", extra={"topics": wanted, "partitions": partitions})
        return wanted
    finally:
        await admin.close()


async def topic_partitions(
    bootstrap: str, topic: str, security: Mapping[str, Any] = NO_SECURITY
) -> list[TopicPartition]:
    """Every partition of a topic, as aiokafka TopicPartitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]

"""Helpers for Herald's own tests (polling for eventual outcomes, unique names)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from herald_common.kafka.topics_admin import topic_partitions


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def eventually(
    predicate: Callable[[], Any | Awaitable[Any]], timeout: float = 10.0, interval: float = 0.05
) -> Any:
    """Poll an async or sync predicate until it returns something truthy; fail after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def read_topic(
    bootstrap: str, topic: str, *, since: dict[Any, int] | None = None, timeout: float = 10.0
) -> list[Any]:
    """Every record of `topic` from `since` (partition -> offset; default the beginning) to its current end."""
    from aiokafka import AIOKafkaConsumer

    partitions = await topic_partitions(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        for tp in partitions:
            if since and tp in since:
                consumer.seek(tp, since[tp])
        if not since:
            await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[Any] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < end for tp, end in ends.items()])

        async with asyncio.timeout(timeout):
            while await behind():
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    found.extend(records)
        return found
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: str, topic: str) -> dict[Any, int]:
    from aiokafka import AIOKafkaConsumer

    partitions = await topic_partitions(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def new_topic(bootstrap: str, prefix: str, partitions: int = 1) -> str:
    """A topic of this test's own, with a unique name (Herald's topics are made first, as the
    services do; the broker never auto-creates topics)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from herald_common.kafka.topics_admin import ensure_topics

    await ensure_topics(bootstrap, partitions=1)
    name = unique(prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()
    return name


async def start_groups_at_end(bootstrap: str, groups: Sequence[str], *topics: str) -> None:
    """These consumer groups start where the topics end now: what earlier tests (or runs) left in
    the shared broker is no backlog to wade through."""
    from aiokafka import AIOKafkaConsumer

    parts = [tp for topic in topics for tp in await topic_partitions(bootstrap, topic)]
    for group in groups:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(parts)
            await consumer.commit(dict(await consumer.end_offsets(parts)))
        finally:
            await consumer.stop()

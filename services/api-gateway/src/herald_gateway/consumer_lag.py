"""herald_kafka_consumer_lag{group,topic}: how far each consumer group is behind, from Kafka's own books.

Every `interval` seconds: the committed offsets of every consumer group (admin OffsetFetch) against
the end offsets of the partitions of the topics it consumes (ListOffsets). A partition the group has
not committed on yet counts from its log start (every Herald consumer starts at `earliest`).

Why here, and only on the replica that leads the outbox relay: one reporter, so the alerts'
`sum by (group, topic)` never counts a group once per replica of its service (each would see the
same committed offsets); and groups are discovered, so the gateway does not need to know the other
services' group names. A group that is down still has its lag reported — by someone who is up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from prometheus_client import Gauge

from herald_common.background import BackgroundLoop
from herald_common.kafka.security import NO_SECURITY
from herald_common.logs import get_logger

log = get_logger(__name__)

LAG = Gauge(
    "herald_kafka_consumer_lag",
    "Records produced but not yet committed by the consumer group, per topic",
    ["group", "topic"],
)


def lag_by_topic(
    committed: Mapping[TopicPartition, int],
    beginning: Mapping[TopicPartition, int],
    end: Mapping[TopicPartition, int],
) -> dict[str, int]:
    """Sum over each topic's partitions of end - committed (never negative). `end` names every
    partition of the topics the group consumes; one without a commit (or with -1) counts from
    its beginning offset."""
    topics = {tp.topic for tp in committed}
    out: dict[str, int] = {}
    for tp, end_offset in end.items():
        if tp.topic not in topics:
            continue
        position = committed.get(tp, -1)
        if position < 0:
            position = beginning.get(tp, 0)
        out[tp.topic] = out.get(tp.topic, 0) + max(0, end_offset - position)
    return out


class ConsumerLagMonitor(BackgroundLoop):
    name = "consumer-lag"

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        interval: float,
        is_reporter: Callable[[], bool],
        topic_prefix: str = "herald.",
        security: Mapping[str, Any] = NO_SECURITY,
    ) -> None:
        super().__init__()
        self._bootstrap = bootstrap_servers
        self._interval = interval
        self._is_reporter = is_reporter
        self._prefix = topic_prefix
        self._security = security

    async def _run(self) -> None:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self._bootstrap, client_id="herald-lag-monitor", **self._security
        )
        # No group: this consumer only asks for offsets, it never joins or commits.
        offsets = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, enable_auto_commit=False, **self._security
        )
        started: list[AIOKafkaAdminClient | AIOKafkaConsumer] = []
        try:
            while True:
                try:
                    if not started:
                        await admin.start()
                        started.append(admin)
                        await offsets.start()
                        started.append(offsets)
                    if self._is_reporter():
                        report(await self.measure(admin, offsets))
                    else:
                        LAG.clear()  # another replica reports; two reporters would double the sums
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("measuring consumer lag failed: %s", exc)
                await asyncio.sleep(self._interval)
        finally:
            for client in reversed(started):
                with contextlib.suppress(Exception):
                    await (client.close() if isinstance(client, AIOKafkaAdminClient) else client.stop())

    async def measure(
        self, admin: AIOKafkaAdminClient, offsets: AIOKafkaConsumer
    ) -> dict[tuple[str, str], int]:
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group_id, *_ in await admin.list_consumer_groups():
            books = await admin.list_consumer_group_offsets(group_id)
            ours = {tp: meta.offset for tp, meta in books.items() if tp.topic.startswith(self._prefix)}
            if ours:
                committed[group_id] = ours
        topics = {tp.topic for books in committed.values() for tp in books}
        if not topics:
            return {}
        partitions = [
            TopicPartition(t["topic"], p["partition"])
            for t in await admin.describe_topics(sorted(topics))
            for p in t["partitions"]
        ]
        beginning = await offsets.beginning_offsets(partitions)
        end = await offsets.end_offsets(partitions)
        return {
            (group, topic): lag
            for group, books in committed.items()
            for topic, lag in lag_by_topic(books, beginning, end).items()
        }


def report(lags: Mapping[tuple[str, str], int]) -> None:
    """Replace the gauge's series at once (no await in between, so no scrape sees a half-set)."""
    LAG.clear()
    for (group, topic), lag in lags.items():
        LAG.labels(group, topic).set(lag)

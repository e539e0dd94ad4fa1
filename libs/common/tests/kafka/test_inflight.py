"""InFlight against the real broker: many records at once, one key in order, commits only below
finished work, a retry in place, and a stop that commits what finished and leaves the rest."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream import AckPolicy
from faststream.kafka import KafkaRouter

from herald_common.kafka.broker import create_broker
from herald_common.kafka.inflight import HANDLER_RETRIES, IN_FLIGHT, InFlight
from herald_common.settings import HeraldSettings
from herald_common.testing import eventually, new_topic, unique

pytestmark = pytest.mark.infra
PARTITIONS = 3


async def _new_topic(bootstrap: str) -> str:
    return await new_topic(bootstrap, "test.inflight", PARTITIONS)


async def _produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes, int]]) -> None:
    """(key, value, partition) in this order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for key, value, partition in records:
            await producer.send_and_wait(topic, value, key=key, partition=partition)
    finally:
        await producer.stop()


async def _committed(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {
        tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0
    }


@asynccontextmanager
async def consuming(
    bootstrap: str,
    topic: str,
    group: str,
    work: Callable[[Any], Awaitable[None]],
    *,
    limit: int,
    drain: bool = True,
) -> AsyncIterator[InFlight]:
    """A subscriber wired as the publishers wire theirs. `drain=False` stops like a crash would
    leave it: nothing more is committed."""
    in_flight = InFlight(group=group, limit=limit, grace_seconds=5, retry_pause_seconds=0.05)
    broker = create_broker(HeraldSettings(service_name=group, kafka_bootstrap_servers=bootstrap))
    router = KafkaRouter()
    subscriber = router.subscriber(
        topic,
        group_id=group,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        listener=in_flight.listener,
        decoder=lambda msg: msg.raw_message,
    )
    in_flight.bind(lambda: subscriber.consumer)

    @subscriber
    async def on_record(record: Any) -> None:
        await in_flight.submit(record, lambda: work(record))

    broker.include_router(router)
    await broker.start()
    try:
        yield in_flight
    finally:
        if drain:
            await in_flight.drain()
        await broker.stop()


async def test_records_run_at_once_in_key_order_and_commits_wait_for_the_slowest(
    kafka_bootstrap: str,
) -> None:
    topic, group = await _new_topic(kafka_bootstrap), unique("inflight")
    # Partition 0 holds keys a and b (four records each, interleaved); partitions 1 and 2 one record each.
    records = [(k, f"{k.decode()}{i}".encode(), 0) for i in range(4) for k in (b"a", b"b")]
    records += [(b"c", b"c0", 1), (b"d", b"d0", 2)]
    await _produce(kafka_bootstrap, topic, records)
    release = {value: asyncio.Event() for _, value, _ in records}
    running: set[bytes] = set()
    started: dict[bytes, list[bytes]] = defaultdict(list)
    most_at_once = 0

    async def work(record: Any) -> None:
        nonlocal most_at_once
        assert not any(r.startswith(record.key) for r in running), "two records of one key at once"
        running.add(record.value)
        started[record.key].append(record.value)
        most_at_once = max(most_at_once, len(running))
        await release[record.value].wait()
        running.discard(record.value)

    async with consuming(kafka_bootstrap, topic, group, work, limit=10):
        # a0, b0, c0 and d0 run together; a1.. wait for a0 (same key).
        await eventually(lambda: {b"a0", b"b0", b"c0", b"d0"} <= running, timeout=30)
        for value in (b"b0", b"b1", b"c0", b"d0"):
            release[value].set()
            await eventually(lambda v=value: v not in running)
        await eventually(lambda: b"b2" in running)
        # b0 and b1 are done, but a0 (offset 0) is not: partition 0 commits nothing yet.
        assert await eventually(lambda: _committed(kafka_bootstrap, group, topic)) == {1: 1, 2: 1}
        release[b"a0"].set()
        # a0 and b0 (offsets 0, 1) are done; a1 (offset 2) waits on nothing but its release.
        assert await eventually(lambda: _both(_committed(kafka_bootstrap, group, topic), {0: 2, 1: 1, 2: 1}))
        for event in release.values():
            event.set()
        assert await eventually(lambda: _both(_committed(kafka_bootstrap, group, topic), {0: 8, 1: 1, 2: 1}))
    assert started[b"a"] == [b"a0", b"a1", b"a2", b"a3"]
    assert started[b"b"] == [b"b0", b"b1", b"b2", b"b3"]
    assert most_at_once >= 4


async def _both(found: Awaitable[dict[int, int]], wanted: dict[int, int]) -> bool:
    return await found == wanted


async def test_the_limit_bounds_the_records_in_flight(kafka_bootstrap: str) -> None:
    topic, group = await _new_topic(kafka_bootstrap), unique("inflight")
    await _produce(kafka_bootstrap, topic, [(f"k{i}".encode(), b"x", i % PARTITIONS) for i in range(30)])
    gate = asyncio.Event()
    running = 0
    most = 0
    finished = 0

    async def work(record: Any) -> None:
        nonlocal running, most, finished
        running += 1
        most = max(most, running)
        await gate.wait()
        running -= 1
        finished += 1

    async with consuming(kafka_bootstrap, topic, group, work, limit=5) as in_flight:
        await eventually(lambda: running == 5, timeout=30)

        # Sync point: a sixth record is fetched and tracked, waiting for a slot; it must not start.
        def tracked() -> int:
            return sum(in_flight._tracker.in_flight(TopicPartition(topic, p)) for p in range(PARTITIONS))

        await eventually(lambda: tracked() > 5, timeout=30)
        assert running == 5
        assert in_flight.in_flight == 5
        gate.set()
        await eventually(lambda: finished == 30, timeout=30)
    assert most == 5


async def test_failed_work_runs_again_in_place_and_is_committed_once_it_succeeds(
    kafka_bootstrap: str,
) -> None:
    topic, group = await _new_topic(kafka_bootstrap), unique("inflight")
    await _produce(kafka_bootstrap, topic, [(b"a", b"flaky", 0), (b"b", b"fine", 0)])
    attempts: dict[bytes, int] = defaultdict(int)

    async def work(record: Any) -> None:
        attempts[record.value] += 1
        if record.value == b"flaky" and attempts[record.value] < 3:
            raise RuntimeError("the database is restarting")

    async with consuming(kafka_bootstrap, topic, group, work, limit=4):
        assert await eventually(lambda: _both(_committed(kafka_bootstrap, group, topic), {0: 2}), timeout=30)
    assert attempts == {b"flaky": 3, b"fine": 1}
    assert HANDLER_RETRIES.labels(group)._value.get() == 2
    assert IN_FLIGHT.labels(group)._value.get() == 0


async def test_a_stop_commits_what_finished_and_a_crash_redelivers_what_did_not(kafka_bootstrap: str) -> None:
    topic, group = await _new_topic(kafka_bootstrap), unique("inflight")
    await _produce(kafka_bootstrap, topic, [(f"k{i}".encode(), f"v{i}".encode(), 0) for i in range(6)])
    stuck = asyncio.Event()
    handled: list[bytes] = []

    async def slow_then_stuck(record: Any) -> None:
        if record.value == b"v3":
            await stuck.wait()  # never finishes in this run: the process "dies" here
        else:
            await asyncio.sleep(0.2)
        handled.append(record.value)

    # Everything but v3 finishes; the commit stops below it.
    async with consuming(kafka_bootstrap, topic, group, slow_then_stuck, limit=10, drain=False) as in_flight:
        await eventually(lambda: len(handled) == 5, timeout=30)
        assert await eventually(lambda: _both(_committed(kafka_bootstrap, group, topic), {0: 3}))
        # Sync point: a commit made now, with v4 and v5 finished, still stops below the unfinished v3.
        await in_flight.commit()
        assert await _committed(kafka_bootstrap, group, topic) == {0: 3}
        # Killed now: v3 never finished, so nothing at or above it was committed.
        assert in_flight.in_flight == 1

    # The next consumer of the group gets v3, v4 and v5 again (v4 and v5 were done: run twice).
    again: list[bytes] = []

    async def record_it(record: Any) -> None:
        again.append(record.value)

    async with consuming(kafka_bootstrap, topic, group, record_it, limit=10):
        await eventually(lambda: len(again) == 3, timeout=30)
        assert await eventually(lambda: _both(_committed(kafka_bootstrap, group, topic), {0: 6}))
    assert sorted(again) == [b"v3", b"v4", b"v5"]


async def test_drain_lets_work_in_flight_finish_and_commits_it(kafka_bootstrap: str) -> None:
    topic, group = await _new_topic(kafka_bootstrap), unique("inflight")
    await _produce(kafka_bootstrap, topic, [(f"k{i}".encode(), f"v{i}".encode(), 0) for i in range(4)])
    started: list[bytes] = []
    finished: list[bytes] = []

    async def slow(record: Any) -> None:
        started.append(record.value)
        await asyncio.sleep(1.0)
        finished.append(record.value)

    async with consuming(kafka_bootstrap, topic, group, slow, limit=10, drain=False) as in_flight:
        await eventually(lambda: len(started) == 4, timeout=30)
        await in_flight.drain()  # what the service does first on SIGTERM
        assert len(finished) == 4
        assert await _committed(kafka_bootstrap, group, topic) == {0: 4}

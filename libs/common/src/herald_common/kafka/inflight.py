"""Many records handled at once, records of one key in order, and commits only below finished work.

A subscriber hands each fetched record to `InFlight.submit`, which returns as soon as the record
is running (or waits while `limit` records are in flight, which holds the fetch loop back). Its
work runs in a task of its own, after the work of the previous record with the same key.

The commit rule: per partition, commit the highest offset below which every record is done
(`OffsetTracker`). Work that fails for a reason other than bad input is run again after a pause,
in place, so a record is never passed over; a crash redelivers everything above the commit
point and the handlers are safe to run twice.

Stopping (`drain`): fetching pauses, the work in flight gets the grace period to finish, and
what finished is committed. On a rebalance the revoked partitions are treated the same way
before they go to another consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError
from prometheus_client import Counter, Gauge

from herald_common.background import BackgroundLoop
from herald_common.kafka.offsets import OffsetTracker
from herald_common.logs import get_logger

log = get_logger(__name__)
Work = Callable[[], Awaitable[None]]

# FastStream's own Kafka-in metrics see only the hand-off to InFlight; these see the work.
IN_FLIGHT = Gauge("herald_kafka_records_in_flight", "Records fetched and being handled", ["group"])
HANDLER_RETRIES = Counter(
    "herald_kafka_handler_retries_total", "Handler failures; the record is handled again in place", ["group"]
)


class InFlight:
    def __init__(
        self,
        *,
        group: str,
        limit: int,
        grace_seconds: float,
        retry_pause_seconds: float = 0.5,
        commit_interval_seconds: float = 0.1,
    ) -> None:
        self.limit = limit
        self._in_flight_gauge = IN_FLIGHT.labels(group)
        self._retries = HANDLER_RETRIES.labels(group)
        self._grace = grace_seconds
        self._retry_pause = retry_pause_seconds
        self._commit_interval = commit_interval_seconds
        self._tracker: OffsetTracker[TopicPartition] = OffsetTracker()
        self._slots = asyncio.Semaphore(limit)
        self._chains: dict[bytes | None, asyncio.Task[bool]] = {}  # key -> its latest record's task
        self._running: dict[TopicPartition, set[asyncio.Task[bool]]] = {}
        self._consumer: Callable[[], AIOKafkaConsumer | None] = lambda: None
        self._commit_lock = asyncio.Lock()
        self._finished = asyncio.Event()
        self._committer = BackgroundLoop(self._commit_loop, name="in-flight-commits")
        self._closing = False
        self._generation = 0  # changes at every rebalance: a record fetched before it waits no more
        self.listener = _Rebalance(self)

    def bind(self, consumer: Callable[[], AIOKafkaConsumer | None]) -> None:
        """Where the consumer to commit with is found (it exists once the subscriber started)."""
        self._consumer = consumer

    @property
    def in_flight(self) -> int:
        return sum(len(tasks) for tasks in self._running.values())

    async def submit(self, record: Any, work: Work) -> None:
        """Start `work` for a fetched record; waits while `limit` records are in flight."""
        tp = TopicPartition(record.topic, record.partition)
        consumer = self._consumer()
        if self._closing or consumer is None or tp not in consumer.assignment():
            return  # not ours any more: left uncommitted, fetched again by whoever owns it next
        generation = self._generation
        self._tracker.add(tp, record.offset)
        await self._slots.acquire()
        if self._closing or generation != self._generation:
            # Stopping, or a rebalance happened while it waited: the partition starts again from
            # its committed offset (here or at its new owner), so this copy is left alone.
            self._slots.release()
            return
        if not self._committer.running:
            self._committer.start()
        key = record.key
        previous = self._chains.get(key) if key is not None else None
        task = asyncio.create_task(self._run(tp, record.offset, previous, work))
        if key is not None:
            self._chains[key] = task
        self._running.setdefault(tp, set()).add(task)
        self._in_flight_gauge.inc()
        task.add_done_callback(lambda t: self._forget(tp, key, t))

    async def _run(
        self,
        tp: TopicPartition,
        offset: int,
        previous: asyncio.Task[bool] | None,
        work: Work,
    ) -> bool:
        """True when the work is done. False leaves the record uncommitted (stopping, or the
        previous record of its key was left so), so it comes again in its order."""
        try:
            if previous is not None:
                await asyncio.wait([previous])
                if previous.cancelled() or not previous.result():
                    return False
            while True:
                try:
                    await work()
                    break
                except Exception:
                    if self._closing:
                        log.exception("handling failed while stopping; the record will be redelivered")
                        return False
                    self._retries.inc()
                    log.exception("handling failed; trying the record again")
                    await asyncio.sleep(self._retry_pause)
            self._tracker.done(tp, offset)
            self._finished.set()
            return True
        finally:
            self._slots.release()

    def _forget(self, tp: TopicPartition, key: bytes | None, task: asyncio.Task[bool]) -> None:
        self._in_flight_gauge.dec()
        self._running.get(tp, set()).discard(task)
        if key is not None and self._chains.get(key) is task:
            del self._chains[key]

    async def _commit_loop(self) -> None:
        while True:
            await self._finished.wait()
            self._finished.clear()
            try:
                await self.commit()
            except Exception:
                log.exception("offset commit failed; will retry")
            await asyncio.sleep(self._commit_interval)  # one commit for all that finished meanwhile

    async def commit(self, partitions: list[TopicPartition] | None = None) -> None:
        """Commit the commit points that moved (of these partitions, or all)."""
        async with self._commit_lock:
            consumer = self._consumer()
            offsets = self._tracker.take_committable(partitions)
            if consumer is None or not offsets:
                return
            try:
                await consumer.commit(offsets)
            except (KafkaError, IllegalStateError) as exc:
                # A rebalance in progress, or the coordinator moved: the next commit carries these.
                self._tracker.forget_taken(offsets)
                log.warning("offset commit failed; will retry", extra={"error": repr(exc)})

    async def _settle(self, partitions: list[TopicPartition] | None) -> None:
        """Let the work of these partitions (or all) finish within the grace period, then commit."""
        wanted = self._running.keys() if partitions is None else partitions
        tasks = {t for p in wanted for t in self._running.get(p, ())}
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=self._grace)
            if unfinished:
                log.warning(
                    "records still in flight after the grace period; they will be redelivered",
                    extra={"records": len(unfinished)},
                )
        await self.commit(partitions)

    async def drain(self) -> None:
        """Stop taking records, let the ones in flight finish (grace period), commit what finished."""
        self._closing = True
        consumer = self._consumer()
        if consumer is not None:
            consumer.pause(*consumer.assignment())
        await self._settle(None)
        # A fetch loop waiting for a slot gets one, sees that we stop, and returns at once.
        for _ in range(self.limit):
            self._slots.release()
        await self._committer.stop()

    async def on_revoked(self, revoked: set[TopicPartition]) -> None:
        self._generation += 1
        if revoked:
            await self._settle(list(revoked))
        self._tracker.revoke(revoked)


class _Rebalance(ConsumerRebalanceListener):
    """Finish and commit the work of revoked partitions before another consumer gets them."""

    def __init__(self, in_flight: InFlight) -> None:
        self._in_flight = in_flight

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._in_flight.on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """Nothing to do: a partition is tracked from its first record (which may be fetched
        before this callback runs)."""

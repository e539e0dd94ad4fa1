"""The scheduler's consumers. POST_REQUESTS: parse, dead-letter what cannot be handled, delegate,
answer. POST_LIFECYCLE: the publishers' results, for the watchdog (see register_results).

Both are batch subscribers that commit after handling (AckPolicy.NACK_ON_ERROR, never auto-commit):
the offsets of a batch are committed only after its transaction committed; a crash redelivers the
batch, and a handler error (the database restarting) seeks back so the batch comes again
(AckPolicy.ACK would commit a failed batch). The idempotent handling makes the second pass a no-op.
Records are decoded one by one, so one bad record is dead-lettered alone and the rest of its batch
goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from herald_common.events import (
    Envelope,
    MalformedEvent,
    PostCancelRequested,
    PostEditRequested,
    PostManualRetryRequested,
    PostRequested,
    PostRetryRequested,
    decode,
    topics,
)
from herald_common.intake import OPEN, IntakeRules
from herald_common.kafka.batch import Rejected, batch_subscriber, dead_letter_rejected, decode_each
from herald_common.kafka.tracing import batch_record_traceparent
from herald_scheduler import results
from herald_scheduler.emitter import Emitter
from herald_scheduler.engine import Engine
from herald_scheduler.service import Request, SchedulingService

ACCEPTED = (
    PostRequested,
    PostCancelRequested,
    PostRetryRequested,
    PostManualRetryRequested,
    PostEditRequested,
)


def decode_batch(msg: StreamMessage[Any], rules: IntakeRules = OPEN) -> list[Envelope[Any] | Rejected]:
    def accept(envelope: Envelope[Any]) -> Envelope[Any]:
        if not isinstance(envelope.data, ACCEPTED):
            raise MalformedEvent(f"{envelope.type} does not belong on {topics.POST_REQUESTS}")
        rules.check(envelope)  # its producer may act for the business; a post keeps the post rules
        return envelope

    return decode_each(msg.raw_message, accept)


class RequestIntake:
    """One batch of decoded requests: one transaction, then arm, then answer. What the subscriber
    calls, and what the cancel/fire race tests drive directly to know when a request arrived."""

    def __init__(
        self,
        pool: Any,
        service: SchedulingService,
        engine: Engine,
        emitter: Emitter,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._pool, self._service, self._engine, self._emitter = pool, service, engine, emitter
        self._clock = clock

    async def handle(self, envelopes: list[Envelope[Any]]) -> None:
        requests: list[Request] = []
        traces: dict[str, str] = {}  # post id -> the trace its schedule rows continue
        for envelope in envelopes:
            requests.append(envelope.data)
            if isinstance(envelope.data, PostRequested) and (
                traceparent := batch_record_traceparent(envelope)
            ):
                traces[envelope.data.post_id] = traceparent
        if not requests:
            return
        # Cancels and edits: the post's due rows wait at receipt, before any await (see Engine.hold).
        held = [r.post_id for r in requests if isinstance(r, PostCancelRequested | PostEditRequested)]
        self._engine.hold(held)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                outcome = await self._service.handle(conn, requests, self._clock(), traces)
        finally:
            self._engine.release(held)
        # Committed: arm first (an immediate post fires within milliseconds), then answer. Arming
        # right after `release` (no await between) replaces an edited row's old timer by key.
        self._engine.arm(outcome.armed)
        await self._emitter.send_all(outcome.records)


def register(
    broker: KafkaBroker,
    pool: Any,
    service: SchedulingService,
    engine: Engine,
    emitter: Emitter,
    group_id: str,
    batch_size: int,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    rules: IntakeRules = OPEN,
) -> None:
    intake = RequestIntake(pool, service, engine, emitter, clock)

    @batch_subscriber(
        broker, topics.POST_REQUESTS, group_id, batch_size, lambda msg: decode_batch(msg, rules)
    )
    async def on_requests(items: list[Envelope[Any] | Rejected]) -> None:
        await intake.handle(await dead_letter_rejected(emitter, items))


def decode_results(msg: StreamMessage[Any]) -> list[Envelope[Any]]:
    """The publishers' results in a batch of lifecycle records. Anything else, and records that do not
    decode, are skipped: the status store's consumer of this topic dead-letters the malformed ones."""
    out: list[Envelope[Any]] = []
    for record in msg.raw_message:
        if not results.may_be_result(record.headers):
            continue  # most of the topic (dispatched, scheduled, ...): not worth decoding
        try:
            envelope = decode(record.value, record.headers)
        except MalformedEvent:
            continue
        if results.is_result(envelope):
            out.append(envelope)
    return out


def register_results(broker: KafkaBroker, pool: Any, group_id: str, batch_size: int) -> None:
    """The watchdog's intake of results. Commit rule: NACK_ON_ERROR, never auto-commit: the batch's
    offsets are committed after its transaction committed; on an error the consumer seeks back and
    the batch comes again. Settling is idempotent, so a batch handled twice changes nothing."""

    @batch_subscriber(broker, topics.POST_LIFECYCLE, group_id, batch_size, decode_results)
    async def on_results(envelopes: list[Envelope[Any]]) -> None:
        if envelopes:
            async with pool.acquire() as conn, conn.transaction():
                await results.settle(conn, envelopes)

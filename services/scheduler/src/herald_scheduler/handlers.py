"""The POST_REQUESTS consumer: parse, dead-letter what cannot be handled, delegate, answer.

A batch subscriber with manual-after-processing commit (AckPolicy.ACK): the offsets of a batch
are committed only after its transaction committed, so a crash redelivers the batch and the
idempotent handling makes the second pass a no-op. Records are decoded one by one, so one bad
record is dead-lettered alone and the rest of its batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from herald_common.events import (
    Envelope,
    MalformedEvent,
    PostCancelRequested,
    PostRequested,
    PostRetryRequested,
    decode,
    topics,
)
from herald_common.intake import OPEN, IntakeRules
from herald_common.kafka.deadletter import dead_letter
from herald_common.kafka.tracing import batch_record_traceparent
from herald_scheduler.emitter import Emitter
from herald_scheduler.engine import Engine
from herald_scheduler.service import Request, SchedulingService

ACCEPTED = (PostRequested, PostCancelRequested, PostRetryRequested)


@dataclass(frozen=True)
class Rejected:
    record: Any
    reason: str


@dataclass(frozen=True)
class _RecordAsMessage:
    """The three things `dead_letter` reads from a message, for one record of a batch."""

    raw_message: Any
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def decode_batch(msg: StreamMessage[Any], rules: IntakeRules = OPEN) -> list[Envelope[Any] | Rejected]:
    out: list[Envelope[Any] | Rejected] = []
    for record in msg.raw_message:
        try:
            envelope = decode(record.value, record.headers)
            if not isinstance(envelope.data, ACCEPTED):
                raise MalformedEvent(f"{envelope.type} does not belong on {topics.POST_REQUESTS}")
            rules.check(envelope)  # its producer may act for the business; a post keeps the post rules
            out.append(envelope)
        except MalformedEvent as exc:
            out.append(Rejected(record, exc.reason))
    return out


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
    @broker.subscriber(
        topics.POST_REQUESTS,
        group_id=group_id,
        batch=True,
        max_records=batch_size,
        batch_timeout_ms=100,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        decoder=lambda msg: decode_batch(msg, rules),
    )
    async def on_requests(items: list[Envelope[Any] | Rejected]) -> None:
        requests: list[Request] = []
        traces: dict[str, str] = {}  # post id -> the trace its schedule rows continue
        for item in items:
            if isinstance(item, Rejected):
                headers = {k: v.decode(errors="replace") for k, v in item.record.headers}
                shim = _RecordAsMessage(item.record, item.record.value, headers)
                await dead_letter(broker, cast(StreamMessage[Any], shim), item.reason, kind="malformed")
            else:
                requests.append(item.data)
                if isinstance(item.data, PostRequested) and (traceparent := batch_record_traceparent(item)):
                    traces[item.data.post_id] = traceparent
        if not requests:
            return
        async with pool.acquire() as conn, conn.transaction():
            outcome = await service.handle(conn, requests, clock(), traces)
        # Committed: arm first (an immediate post fires within milliseconds), then answer.
        engine.arm(outcome.armed)
        await emitter.send_all(outcome.records)

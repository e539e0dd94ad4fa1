"""Batch consumers: decode each record on its own, so one bad record is dead-lettered alone and
the rest of its batch goes on.

`decode_each` is a subscriber's decoder body; `dead_letter_rejected` is the first step of its
handler; `batch_subscriber` states the commit rule every batch consumer shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaRouter
from faststream.message import StreamMessage

from herald_common.events.envelope import Envelope, MalformedEvent, decode
from herald_common.kafka.deadletter import dead_letter
from herald_common.kafka.producer import Producer

T = TypeVar("T")


@dataclass(frozen=True)
class Rejected:
    """A record of a batch that is not a valid event here, and why."""

    record: Any
    reason: str


@dataclass(frozen=True)
class _RecordAsMessage:
    """The three things `dead_letter` reads from a message, for one record of a batch."""

    raw_message: Any
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def decode_each(
    records: Iterable[Any],
    accept: Callable[[Envelope[Any]], T],
    *,
    wanted: Callable[[Any], bool] | None = None,
) -> list[T | Rejected]:
    """Each record decoded and passed to `accept` (which maps it, or raises MalformedEvent to
    refuse it); a record that fails either way becomes a `Rejected` in its place. Records that
    `wanted` (given the record's headers) turns down are skipped before any decoding."""
    out: list[T | Rejected] = []
    for record in records:
        if wanted is not None and not wanted(record.headers):
            continue
        try:
            out.append(accept(decode(record.value, record.headers)))
        except MalformedEvent as exc:
            out.append(Rejected(record, exc.reason))
    return out


async def dead_letter_rejected(producer: Producer, items: Iterable[T | Rejected]) -> list[T]:
    """Dead-letters the rejected records of a decoded batch (with their reasons); returns the rest,
    in order."""
    kept: list[T] = []
    for item in items:
        if isinstance(item, Rejected):
            headers = {k: v.decode(errors="replace") for k, v in item.record.headers}
            shim = _RecordAsMessage(item.record, item.record.value, headers)
            await dead_letter(producer, cast(StreamMessage[Any], shim), item.reason, kind="malformed")
        else:
            kept.append(item)
    return kept


def batch_subscriber(
    broker: KafkaBroker | KafkaRouter,
    topic: str,
    group_id: str,
    batch_size: int,
    decoder: Callable[[Any], Any],
    *,
    batch_timeout_ms: int = 100,
) -> Any:
    """A batch subscription from the earliest offset, committed after handling: NACK_ON_ERROR,
    never auto-commit, so a failed batch is sought back and comes again (AckPolicy.ACK would
    commit it). Handlers must therefore be safe to run twice."""
    return broker.subscriber(
        topic,
        group_id=group_id,
        batch=True,
        max_records=batch_size,
        batch_timeout_ms=batch_timeout_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=decoder,
    )

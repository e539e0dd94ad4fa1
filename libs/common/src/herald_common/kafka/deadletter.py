"""Sends records that are not valid events to the dead-letter topic, with the reason, and moves on.

A malformed record can never succeed, so retrying it would only block its partition. The
original key, value and headers are kept so the record can be inspected and replayed. Dead
letters go out through the service's `Producer`, which `create_broker` puts in the broker's context.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from prometheus_client import Counter

from herald_common.events import topics
from herald_common.events.envelope import KafkaRecord, MalformedEvent
from herald_common.events.topics import (
    ORIGIN_OFFSET_HEADER,
    ORIGIN_PARTITION_HEADER,
    ORIGIN_TOPIC_HEADER,
    REASON_HEADER,
)
from herald_common.kafka.producer import Producer
from herald_common.logs import get_logger

log = get_logger(__name__)


DEAD_LETTERED = Counter(
    "herald_dead_lettered_events_total", "Records sent to the dead-letter topic", ["topic", "kind"]
)


# A handler that fails for another reason (a database restart, say) gets its record again
# after this pause, instead of spinning on it.
REDELIVERY_PAUSE_SECONDS = 0.5
PRODUCER = "herald_dead_letter_producer"
"""The broker context's name for the producer dead letters go through."""


def attach_producer(broker: KafkaBroker, producer: Producer) -> None:
    broker.context.set_global(PRODUCER, producer)


def producer_of(broker: KafkaBroker) -> Producer:
    producer: Producer = broker.context.get(PRODUCER)
    return producer


class DeadLetterMiddleware(BaseMiddleware):
    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except MalformedEvent as exc:
            await dead_letter(self.context.get(PRODUCER), msg, exc.reason, kind="malformed")
            return None
        except Exception:
            log.exception("handler failed; the record will be redelivered")
            await asyncio.sleep(REDELIVERY_PAUSE_SECONDS)
            raise


async def dead_letter_record(producer: Producer, record: KafkaRecord, reason: str) -> None:
    """Dead-letter an event a service gave up on (e.g. after its last retry), not a malformed one."""
    headers = {**record.headers, REASON_HEADER: reason[:2000], ORIGIN_TOPIC_HEADER: record.topic}
    await producer.send_all([KafkaRecord(topics.DEAD_LETTER, record.key, record.value, headers)])
    DEAD_LETTERED.labels(record.topic, "gave_up").inc()


async def dead_letter(producer: Producer, msg: StreamMessage[Any], reason: str, *, kind: str) -> None:
    """Produce the original record to the dead-letter topic; raising here leaves it to be redelivered."""
    raw = msg.raw_message
    raw = raw[0] if isinstance(raw, tuple) else raw
    headers = {k: v for k, v in msg.headers.items() if isinstance(v, str)}
    headers.update(
        {
            REASON_HEADER: reason[:2000],
            ORIGIN_TOPIC_HEADER: raw.topic,
            ORIGIN_PARTITION_HEADER: str(raw.partition),
            ORIGIN_OFFSET_HEADER: str(raw.offset),
        }
    )
    # A record may have come without a key: it is dead-lettered as it came.
    await producer.send_all([KafkaRecord(topics.DEAD_LETTER, cast(bytes, raw.key), msg.body, headers)])
    DEAD_LETTERED.labels(raw.topic, kind).inc()
    log.warning("dead-lettered a record", extra={"topic": raw.topic, "offset": raw.offset, "reason": reason})

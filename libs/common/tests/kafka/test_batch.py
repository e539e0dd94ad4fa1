"""A batch consumer built from herald_common.kafka.batch on the real broker: each record is decoded
alone, a bad one is dead-lettered with its reason and the rest of its batch is handled, in order."""

from __future__ import annotations

from typing import Any

import pytest

from herald_common.events import Envelope, MalformedEvent, PostRequested, PostTarget, encode, topics, utcnow
from herald_common.events.envelope import KafkaRecord
from herald_common.kafka.batch import Rejected, batch_subscriber, dead_letter_rejected, decode_each
from herald_common.kafka.broker import create_broker
from herald_common.kafka.deadletter import ORIGIN_TOPIC_HEADER, REASON_HEADER
from herald_common.kafka.producer import Producer
from herald_common.platforms import Platform
from herald_common.settings import HeraldSettings
from herald_common.testing import end_offsets, eventually, new_topic, read_topic, unique

pytestmark = pytest.mark.infra


def _post(post_id: str, business_id: int = 7) -> PostRequested:
    target = PostTarget(platform=Platform.TWITTER, content="hello")
    return PostRequested(post_id=post_id, business_id=business_id, requested_at=utcnow(), targets=(target,))


def only_business_7(envelope: Envelope[Any]) -> str:
    if envelope.data.business_id != 7:
        raise MalformedEvent(f"business {envelope.data.business_id} is not served here")
    return str(envelope.data.post_id)


async def test_a_bad_record_is_dead_lettered_alone_and_its_batch_goes_on(kafka_bootstrap: str) -> None:
    topic = await new_topic(kafka_bootstrap, "test.batch")
    broker = create_broker(HeraldSettings(service_name="batch-test", kafka_bootstrap_servers=kafka_bootstrap))
    handled: list[str] = []
    producer = Producer(kafka_bootstrap, "batch-test")

    @batch_subscriber(
        broker, topic, unique("g"), 50, lambda msg: decode_each(msg.raw_message, only_business_7)
    )
    async def handle(items: list[str | Rejected]) -> None:
        handled.extend(await dead_letter_rejected(producer, items))

    dlq_start = await end_offsets(kafka_bootstrap, topics.DEAD_LETTER)
    await producer.start()
    try:
        # Sent before the consumer starts, so they come as one batch: good, refused, broken, good.
        for record in [
            encode(_post("p-1"), source="/herald/tests"),
            encode(_post("p-2", business_id=8), source="/herald/tests"),
            KafkaRecord(topic, b"p-3", b"not json", {"ce_id": "x"}),
            encode(_post("p-4"), source="/herald/tests"),
        ]:
            await producer.send_all([KafkaRecord(topic, record.key, record.value, record.headers)])
        async with broker:
            await broker.start()
            await eventually(lambda: len(handled) == 2, timeout=20)
    finally:
        await producer.stop()
    assert handled == ["p-1", "p-4"]

    async def two_dead() -> list[Any]:
        dead = await read_topic(kafka_bootstrap, topics.DEAD_LETTER, since=dlq_start)
        mine = [r for r in dead if dict(r.headers).get(ORIGIN_TOPIC_HEADER) == topic.encode()]
        return mine if len(mine) == 2 else []

    reasons = {r.key: dict(r.headers)[REASON_HEADER].decode() for r in await eventually(two_dead)}
    assert reasons[b"p-2"] == "business 8 is not served here"
    assert "ce_" in reasons[b"p-3"]  # missing CloudEvents headers, named

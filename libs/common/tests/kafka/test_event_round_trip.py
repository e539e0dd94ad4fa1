"""An event through the real broker with the libs/common wiring: headers, decoding, dead-lettering."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaProducer

from herald_common.events import Envelope, PostRequested, PostTarget, encode, topics, utcnow
from herald_common.kafka.broker import create_broker
from herald_common.kafka.deadletter import ORIGIN_TOPIC_HEADER, REASON_HEADER, producer_of
from herald_common.platforms import Platform
from herald_common.settings import HeraldSettings
from herald_common.testing import end_offsets, eventually, new_topic, read_topic, unique

pytestmark = pytest.mark.infra


@pytest.fixture
async def topic(kafka_bootstrap: str) -> str:
    return await new_topic(kafka_bootstrap, "test.round-trip", partitions=2)


def _post(post_id: str) -> PostRequested:
    return PostRequested(
        post_id=post_id,
        business_id=7,
        requested_at=utcnow(),
        targets=(
            PostTarget(
                platform=Platform.TWITTER, content="hello ✨ world", media_urls=("https://x.test/a.jpg",)
            ),
        ),
    )


async def test_event_round_trip_and_dead_letter(kafka_bootstrap: str, topic: str) -> None:
    settings = HeraldSettings(service_name="round-trip-test", kafka_bootstrap_servers=kafka_bootstrap)
    broker = create_broker(settings)
    received: list[Envelope] = []

    @broker.subscriber(topic, group_id=unique("g"), auto_offset_reset="earliest")
    async def handle(envelope: Envelope) -> None:
        received.append(envelope)

    dlq_start = await end_offsets(kafka_bootstrap, topics.DEAD_LETTER)
    sent = _post("post-1")
    record = encode(sent, source="/herald/tests", event_id="evt-1")

    dead_letters = producer_of(broker)  # the dead-letter path produces through it
    await dead_letters.start()
    try:
        async with broker:
            await broker.start()
            producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
            await producer.start()
            try:
                ok_headers = [(k, v.encode()) for k, v in record.headers.items()]
                # a valid event, then two malformed ones, then another valid one: the consumer must carry on
                await producer.send_and_wait(
                    topic, record.value, key=record.key, headers=ok_headers, partition=0
                )
                await producer.send_and_wait(
                    topic,
                    b'{"post_id": "x"}',
                    key=b"x",
                    partition=0,
                    headers=[(k, v) for k, v in ok_headers if k != "ce_id"],
                )
                await producer.send_and_wait(
                    topic,
                    b'{"post_id": "y", "business_id": "not a number"}',
                    key=b"y",
                    headers=ok_headers,
                    partition=0,
                )
                second = encode(_post("post-2"), source="/herald/tests", event_id="evt-2")
                await producer.send_and_wait(
                    topic,
                    second.value,
                    key=second.key,
                    partition=0,
                    headers=[(k, v.encode()) for k, v in second.headers.items()],
                )
            finally:
                await producer.stop()
            await eventually(lambda: len(received) == 2, timeout=20)
    finally:
        await dead_letters.stop()

    first = received[0]
    assert first.data == sent
    assert isinstance(first.data, PostRequested)
    assert (first.id, first.source, first.type) == ("evt-1", "/herald/tests", "com.herald.post.requested.v1")
    assert received[1].data.post_id == "post-2"

    dead = await read_topic(kafka_bootstrap, topics.DEAD_LETTER, since=dlq_start)
    mine = [r for r in dead if dict(r.headers).get(ORIGIN_TOPIC_HEADER) == topic.encode()]
    assert len(mine) == 2
    by_key = {r.key: dict(r.headers)[REASON_HEADER].decode() for r in mine}  # partitions differ: match by key
    assert by_key[b"x"] == "missing CloudEvents header(s): ce_id"
    assert "invalid com.herald.post.requested.v1 data" in by_key[b"y"]
    assert "business_id" in by_key[b"y"]
    (bad,) = [r for r in mine if r.key == b"y"]
    assert bad.value == b'{"post_id": "y", "business_id": "not a number"}'

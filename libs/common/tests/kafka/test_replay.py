"""herald-dlq-replay sends dead-lettered records back where they came from, as its filters select."""

from __future__ import annotations

import argparse

import pytest

from herald_common.events import PostRequested, PostTarget, encode, topics, utcnow
from herald_common.kafka.deadletter import REASON_HEADER, dead_letter_record
from herald_common.kafka.producer import Producer
from herald_common.kafka.replay import replay
from herald_common.platforms import Platform
from herald_common.settings import HeraldSettings
from herald_common.testing import new_topic, read_topic, unique

pytestmark = pytest.mark.infra


def options(post_id: str, **overrides: object) -> argparse.Namespace:
    base = {"type": None, "post_id": post_id, "reason_contains": None, "since": None, "dry_run": False}
    return argparse.Namespace(**(base | overrides))


async def test_replays_to_the_origin_without_dead_letter_headers(kafka_bootstrap: str) -> None:
    origin = await new_topic(kafka_bootstrap, "test.replay-origin")
    post_id = unique("post")
    event = PostRequested(
        post_id=post_id,
        business_id=1,
        requested_at=utcnow(),
        targets=(PostTarget(platform=Platform.TWITTER, content="again"),),
    )
    record = encode(event, source="/tests", event_id=f"evt-{post_id}")
    record = type(record)(origin, record.key, record.value, record.headers)
    producer = Producer(kafka_bootstrap, "replay-test")
    await producer.start()
    try:
        await dead_letter_record(producer, record, "gave up after 5 attempts: platform down")
    finally:
        await producer.stop()
    settings = HeraldSettings(kafka_bootstrap_servers=kafka_bootstrap)

    assert await replay(settings, options(post_id, dry_run=True)) == 1
    assert await read_topic(kafka_bootstrap, origin) == [], "a dry run changes nothing"
    assert await replay(settings, options(post_id, reason_contains="no such reason")) == 0
    assert await replay(settings, options(post_id, type="com.herald.post.due.v1")) == 0
    assert await replay(settings, options(post_id)) == 1

    (back,) = await read_topic(kafka_bootstrap, origin)
    headers = dict(back.headers)
    assert back.value == record.value and back.key == record.key
    assert headers["ce_id"] == f"evt-{post_id}".encode()
    assert REASON_HEADER not in headers
    dead = [r for r in await read_topic(kafka_bootstrap, topics.DEAD_LETTER) if r.key == post_id.encode()]
    assert len(dead) == 1

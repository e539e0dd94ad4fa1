"""The emitter's batch path against a real Kafka: records land where `send()` would put them, and a
due event encoded at lease time is the same record as one encoded at fire time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiokafka import AIOKafkaProducer

from herald_common.events import topics, utcnow
from herald_common.platforms import Platform
from herald_common.testing import unique
from herald_scheduler import messages
from herald_scheduler.emitter import REPLICA_HEADER, Emitter
from herald_scheduler.model import Schedule

pytestmark = pytest.mark.infra


def row(post_id: str, attempt: int = 1) -> Schedule:
    due = utcnow() + timedelta(seconds=3)
    return Schedule(
        post_id, "twitter", 7, attempt, due, due, None, False, '{"platform":"twitter","content":"hi"}'
    )


async def test_prepared_records_go_to_the_partition_send_would_choose(kafka_bootstrap: str) -> None:
    emitter = Emitter(kafka_bootstrap, unique("emitter"))
    plain = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await emitter.start()
    await plain.start()
    await plain.partitions_for(topics.post_due_topic(Platform.TWITTER))
    try:
        for n in range(12):
            record = messages.due(row(unique(f"p{n}")))
            wire = emitter.prepare(record)
            # send()'s own choice, asked without producing: a due event here would reach publishers
            chosen = plain._partition(record.topic, None, record.key, record.value, record.key, record.value)
            assert wire.partition == chosen
    finally:
        await plain.stop()
        await emitter.stop()


async def test_a_due_record_encoded_at_lease_time_is_identical_to_one_encoded_at_fire_time(
    kafka_bootstrap: str,
) -> None:
    emitter = Emitter(kafka_bootstrap, "replica-x")
    await emitter.start()
    try:
        leased = row(unique("p"), attempt=2)
        early = emitter.prepare(messages.due(leased))
        late = emitter.prepare(messages.due(leased))  # a re-drive, encoded again later
    finally:
        await emitter.stop()
    assert early == late
    headers = dict(early.headers)
    assert headers["ce_id"] == f"due:{leased.post_id}:twitter:2".encode()
    assert headers["ce_time"] == leased.due_at.isoformat().encode()
    assert headers[REPLICA_HEADER] == b"replica-x"

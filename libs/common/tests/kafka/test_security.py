"""Every Kafka client Herald builds authenticates with SASL/SCRAM when the settings say so, and Kafka
ACLs decide who may write the requests topic.

A private broker (tools/infra/kafka.sh, its SCRAM variant) on ports of this test slot, started and
stopped here: the shared test broker stays plaintext.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.protocol.admin import CreateAclsRequest

from herald_common.events import Envelope, PostRequested, PostTarget, encode, topics, utcnow
from herald_common.kafka.broker import create_broker
from herald_common.kafka.producer import Producer
from herald_common.kafka.security import client_security
from herald_common.kafka.topics_admin import ensure_topics, topic_partitions
from herald_common.platforms import Platform
from herald_common.settings import HeraldSettings
from herald_common.testing import eventually, unique

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[4]
_SLOT = int(os.environ.get("HERALD_TEST_SLOT", "0"))
PORT, CONTROLLER_PORT = 30092 + _SLOT * 10, 30093 + _SLOT * 10
USERS = {
    "admin": "admin-secret",
    "herald-api-gateway": "gateway-secret",
    "herald-scheduler": "scheduler-secret",
}

# Kafka's ACL enums (org.apache.kafka.common.acl / resource)
TOPIC, LITERAL, WRITE, DESCRIBE, ALLOW = 2, 3, 4, 8, 3


@pytest.fixture(scope="module")
def scram_broker() -> Iterator[str]:
    state = ROOT / ".herald" / f"kafka-scram-{os.getpid()}"
    env = {
        **os.environ,
        "HERALD_STATE_DIR": str(state),
        "HERALD_KAFKA_PORT": str(PORT),
        "HERALD_KAFKA_CONTROLLER_PORT": str(CONTROLLER_PORT),
        "HERALD_KAFKA_SCRAM_USERS": ",".join(f"{u}:{p}" for u, p in USERS.items()),
    }
    script = str(ROOT / "tools" / "infra" / "kafka.sh")
    try:
        started = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, started.stderr
        yield f"127.0.0.1:{PORT}"
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=60, check=False)
        shutil.rmtree(state, ignore_errors=True)


def as_user(bootstrap: str, user: str, password: str | None = None) -> HeraldSettings:
    return HeraldSettings(
        service_name=user,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_partitions=1,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username=user,
        kafka_sasl_password=password or USERS[user],
    )


async def allow(admin_settings: HeraldSettings, principal: str, topic: str, *operations: int) -> None:
    # aiokafka's admin client has no ACL call yet; its protocol has the request.
    admin = AIOKafkaAdminClient(
        bootstrap_servers=admin_settings.kafka_bootstrap_servers, **client_security(admin_settings)
    )
    await admin.start()
    try:
        for operation in operations:
            request = CreateAclsRequest(TOPIC, topic, LITERAL, f"User:{principal}", "*", operation, ALLOW)
            response = await admin._send_request(request)
            assert [r[0] for r in response.creation_responses] == [0], response
    finally:
        await admin.close()


def post(post_id: str) -> PostRequested:
    target = PostTarget(platform=Platform.TWITTER, content="over SCRAM")
    return PostRequested(post_id=post_id, business_id=1, targets=(target,), requested_at=utcnow())


async def start_and_send(producer: Any, record: Any) -> None:
    await producer.start()  # an idempotent producer may be refused here already, or at the send
    await producer.send_all([record])


async def test_every_client_authenticates_with_scram(scram_broker: str) -> None:
    settings = as_user(scram_broker, "admin")
    security = client_security(settings)
    await ensure_topics(scram_broker, 1, security=security, timeout=30)
    assert len(await topic_partitions(scram_broker, topics.POST_REQUESTS, security)) == 1

    broker = create_broker(settings)
    received: list[Envelope[Any]] = []

    @broker.subscriber(topics.POST_REQUESTS, group_id=unique("scram"), auto_offset_reset="earliest")
    async def handle(envelope: Envelope[Any]) -> None:
        received.append(envelope)

    post_id = unique("scram-post")
    producer = Producer(scram_broker, "scram-test", security)
    await producer.start()
    try:
        await producer.send_all([encode(post(post_id), source="/herald/tests")])
        async with broker:
            await broker.start()
            await eventually(lambda: any(e.data.post_id == post_id for e in received), timeout=30)
    finally:
        await producer.stop()


async def test_a_wrong_password_or_no_sasl_is_refused(scram_broker: str) -> None:
    wrong = Producer(scram_broker, "wrong", client_security(as_user(scram_broker, "admin", "guess")))
    plain = Producer(scram_broker, "plain")
    for producer in (wrong, plain):
        with pytest.raises(KafkaConnectionError):
            await asyncio.wait_for(producer.start(), 30)
        await producer.stop()


async def test_acls_decide_who_may_write_the_requests_topic(scram_broker: str) -> None:
    admin = as_user(scram_broker, "admin")
    await ensure_topics(scram_broker, 1, security=client_security(admin), timeout=30)
    await allow(admin, "herald-api-gateway", topics.POST_REQUESTS, WRITE, DESCRIBE)
    record = encode(post(unique("acl")), source="/herald/api-gateway")

    gateway = Producer(scram_broker, "gateway", client_security(as_user(scram_broker, "herald-api-gateway")))
    await gateway.start()
    try:
        await asyncio.wait_for(gateway.send_all([record]), 30)
    finally:
        await gateway.stop()

    # The scheduler reads requests; it was granted nothing here, so it may not write them.
    scheduler = Producer(
        scram_broker, "scheduler", client_security(as_user(scram_broker, "herald-scheduler"))
    )
    with pytest.raises(KafkaError) as refused:
        await asyncio.wait_for(start_and_send(scheduler, record), 30)
    await scheduler.stop()
    assert "Authorization" in type(refused.value).__name__, refused.value

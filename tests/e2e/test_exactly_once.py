"""Never twice, never lost: duplicated due events, a publisher killed mid-call, a scheduler restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from e2e_support import created_on, wait_committed_past, wait_consumed, wait_for_status

from herald_common.events import topics
from herald_common.platforms import Platform
from herald_common.testing import read_topic

pytestmark = pytest.mark.e2e


async def _due_records(bootstrap: str, post_id: str, platform: Platform) -> list:
    records = await read_topic(bootstrap, topics.post_due_topic(platform))
    return [r for r in records if r.key == post_id.encode()]


async def test_a_duplicated_due_event_yields_one_platform_post(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    created = await api.post(
        "/api/v2/publish", json={"content": "Only once, please", "platforms": ["twitter"]}
    )
    post_id = created.json()["id"]
    await wait_for_status(api, post_id, {"published"})
    (due,) = await _due_records(kafka_bootstrap, post_id, Platform.TWITTER)

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(3):  # redelivered as after a crash or a rebalance
            sent = await producer.send_and_wait(due.topic, due.value, key=due.key, headers=list(due.headers))
    finally:
        await producer.stop()
    # The publisher commits only below finished work: once it committed past the last copy, it
    # has handled all three, so any second platform post would already be on the emulator.
    await wait_committed_past(
        kafka_bootstrap, "publisher-twitter", TopicPartition(sent.topic, sent.partition), sent.offset
    )
    assert len(await created_on(emulator, "twitter")) == 1
    assert (await api.get(f"/api/v2/posts/{post_id}")).json()["status"] == "published"


async def test_publisher_killed_mid_call_neither_duplicates_nor_loses(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, stack: object
) -> None:
    # The platform creates the tweet but holds the answer; the publisher dies while waiting for it.
    await emulator.post(
        "/_emulator/faults",
        json=[
            {
                "platform": "twitter",
                "kind": "drop_after_create",
                "endpoint": "create_tweet",
                "latency_ms": 8000,
            }
        ],
    )
    created = await api.post(
        "/api/v2/publish", json={"content": "Crash-proof tweet", "platforms": ["twitter"]}
    )
    post_id = created.json()["id"]

    deadline = asyncio.get_running_loop().time() + 10
    while not await created_on(emulator, "twitter"):
        assert asyncio.get_running_loop().time() < deadline, "the call never reached the platform"
        await asyncio.sleep(0.05)
    stack.stop("publisher-twitter", kill=True)  # type: ignore[attr-defined]
    await emulator.delete("/_emulator/faults")
    stack.start("publisher-twitter")  # type: ignore[attr-defined]

    post = await wait_for_status(api, post_id, timeout=30)
    assert post["status"] == "published", post
    tweets = await created_on(emulator, "twitter")
    assert len(tweets) == 1, tweets
    assert post["platforms"][0]["platform_post_id"] == tweets[0]["id"]


async def test_scheduler_restart_emits_each_pending_post_exactly_once(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, stack: object, kafka_bootstrap: str
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=4)
    ids = []
    for i in range(10):
        r = await api.post(
            "/api/v2/schedule",
            json={
                "content": f"Survives a restart #{i}",
                "platforms": ["facebook"],
                "scheduled_for": (due + timedelta(milliseconds=100 * i)).isoformat(),
            },
        )
        ids.append(r.json()["id"])
    # The scheduler commits a batch of requests once its timers are stored: kill it only then.
    await wait_consumed(kafka_bootstrap, "scheduler", topics.POST_REQUESTS, set(ids))
    stack.stop("scheduler", kill=True)  # type: ignore[attr-defined]
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1)
    stack.start("scheduler")  # type: ignore[attr-defined]

    for post_id in ids:
        assert (await wait_for_status(api, post_id, timeout=30))["status"] == "published"
    texts = sorted(p["text"] for p in await created_on(emulator, "facebook"))
    assert texts == sorted(f"Survives a restart #{i}" for i in range(10))

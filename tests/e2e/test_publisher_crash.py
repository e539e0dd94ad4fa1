"""A publisher stopped while due events it fetched are still in flight. Killed (SIGKILL): after a
restart every post is published exactly once, and the posts finished before the crash are not sent
again. Stopped (SIGTERM): it finishes the posts in flight and commits them before it exits."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from e2e_support import created_on, wait_for_status

from herald_common.events import topics
from herald_common.platforms import Platform
from herald_common.testing import end_offsets

pytestmark = pytest.mark.e2e

IN_FLIGHT = 12
HOLD_MS = 10_000
# Long enough for an auto-committing consumer (aiokafka commits every 5 s) to have committed
# records it was still handling; a consumer that commits only finished work has committed none.
AUTO_COMMIT_WINDOW_S = 6.0


async def _publish(api: httpx.AsyncClient, texts: list[str]) -> list[str]:
    answers = await asyncio.gather(
        *(api.post("/api/v2/publish", json={"content": t, "platforms": ["linkedin"]}) for t in texts)
    )
    assert all(a.status_code == 202 for a in answers), [a.text for a in answers]
    return [a.json()["id"] for a in answers]


async def _calls_held(emulator: httpx.AsyncClient, kind: str = "timeout") -> int:
    """Create calls the emulator's `kind` rule is holding ("timeout": they will create nothing)."""
    faults: list[dict[str, Any]] = (await emulator.get("/_emulator/faults")).json()["faults"]
    return sum(f["hits"] for f in faults if f["kind"] == kind)


async def test_killed_publisher_publishes_every_fetched_post_exactly_once(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, stack: Any
) -> None:
    # Some posts done before the crash: their offsets are committed and they must not come again.
    before = [f"Before the crash #{i}" for i in range(5)]
    for post_id in await _publish(api, before):
        assert (await wait_for_status(api, post_id, timeout=30))["status"] == "published"

    # The platform holds every create call (and creates nothing): the publisher has fetched the
    # due events and waits on the platform when it dies.
    await emulator.post(
        "/_emulator/faults",
        json=[
            {
                "platform": "linkedin",
                "kind": "timeout",
                "endpoint": "create_post",
                "latency_ms": HOLD_MS,
                "count": None,
            }
        ],
    )
    during = [f"In flight at the crash #{i}" for i in range(IN_FLIGHT)]
    ids = await _publish(api, during)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while not await _calls_held(emulator):
        assert loop.time() < deadline, "no due event reached the platform"
        await asyncio.sleep(0.05)
    first_held = loop.time()
    # Kill once every post is in flight, or once an auto-commit would have happened.
    while await _calls_held(emulator) < IN_FLIGHT and loop.time() - first_held < AUTO_COMMIT_WINDOW_S:
        await asyncio.sleep(0.05)
    assert loop.time() - first_held < HOLD_MS / 1000, "the held calls ended before the kill"
    stack.stop("publisher-linkedin", kill=True)
    await emulator.delete("/_emulator/faults")
    stack.start("publisher-linkedin")

    for post_id in ids:
        post = await wait_for_status(api, post_id, timeout=60)
        assert post["status"] == "published", post
    texts = Counter(p["text"] for p in await created_on(emulator, "linkedin"))
    assert texts == Counter(before + during), texts


async def test_stopped_publisher_finishes_and_commits_the_posts_in_flight(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, stack: Any, kafka_bootstrap: str
) -> None:
    # Every create call takes 3 s (well inside the 15 s grace period), then creates the post.
    await emulator.post(
        "/_emulator/faults",
        json=[
            {
                "platform": "linkedin",
                "kind": "latency",
                "endpoint": "create_post",
                "latency_ms": 3000,
                "count": None,
            }
        ],
    )
    texts = [f"Finished while stopping #{i}" for i in range(IN_FLIGHT)]
    ids = await _publish(api, texts)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while await _calls_held(emulator, "latency") < IN_FLIGHT:
        assert loop.time() < deadline, "the due events never all reached the platform"
        await asyncio.sleep(0.05)

    stack.stop("publisher-linkedin")  # SIGTERM; returns once the process has exited
    created = Counter(p["text"] for p in await created_on(emulator, "linkedin"))
    assert created == Counter(texts), "the posts in flight were not finished before the exit"
    # ...and committed: nothing of the due topic is left to come again.
    due_topic = topics.post_due_topic(Platform.LINKEDIN)
    ends = {tp: end for tp, end in (await end_offsets(kafka_bootstrap, due_topic)).items() if end > 0}
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets("publisher-linkedin")
    finally:
        await admin.close()
    assert {tp: offsets[tp].offset for tp in ends if tp in offsets} == ends

    await emulator.delete("/_emulator/faults")
    stack.start("publisher-linkedin")
    for post_id in ids:
        assert (await wait_for_status(api, post_id, timeout=30))["status"] == "published"

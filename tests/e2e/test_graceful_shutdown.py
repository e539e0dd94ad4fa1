"""SIGTERM is a polite stop: a publisher finishes the platform call it is in, records the result,
commits the event it finished, and exits within the grace period. Nothing is posted again after it
starts once more."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from aiokafka import TopicPartition
from e2e_support import committed, created_on, wait_for_status

from herald_common.events import topics
from herald_common.platforms import Platform
from herald_common.testing import read_topic

pytestmark = pytest.mark.e2e

STACK = [sys.executable, str(Path(__file__).resolve().parents[2] / "tools" / "dev" / "stack.py")]
SLOW_CREATE_MS = 2500  # shorter than the stack's 5 s grace for in-flight work


async def test_sigterm_lets_the_publisher_finish_and_commit_its_call(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, stack: object, kafka_bootstrap: str
) -> None:
    # The next create is slow; count 2 keeps the rule listed after the first hit, our sync point.
    await emulator.post(
        "/_emulator/faults",
        json={
            "platform": "twitter",
            "kind": "latency",
            "endpoint": "create_tweet",
            "latency_ms": SLOW_CREATE_MS,
            "count": 2,
        },
    )
    post_id = (
        await api.post("/api/v2/publish", json={"content": "Finished before exit", "platforms": ["twitter"]})
    ).json()["id"]
    deadline = asyncio.get_running_loop().time() + 15
    while not any(r["hits"] for r in (await emulator.get("/_emulator/faults")).json()["faults"]):
        assert asyncio.get_running_loop().time() < deadline, "the create never reached the platform"
        await asyncio.sleep(0.05)

    stopped = await asyncio.to_thread(
        subprocess.run, [*STACK, "stop", "publisher-twitter"], capture_output=True, text=True, timeout=60
    )
    try:
        assert "killing it" not in stopped.stderr, stopped.stderr
        post = await wait_for_status(api, post_id, timeout=5)  # recorded before the process ended
        assert post["status"] == "published", post
        (due,) = [
            r
            for r in await read_topic(kafka_bootstrap, topics.post_due_topic(Platform.TWITTER))
            if r.key == post_id.encode()
        ]
        done = await committed(kafka_bootstrap, "publisher-twitter", TopicPartition(due.topic, due.partition))
        assert done > due.offset, f"the finished event (offset {due.offset}) was not committed ({done})"
    finally:
        stack.start("publisher-twitter")  # type: ignore[attr-defined]
    assert len(await created_on(emulator, "twitter")) == 1

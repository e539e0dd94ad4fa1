"""Rate limits through the running stack: the wait the platform named is honoured."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition
from e2e_support import by_platform, cancel, created_on, wait_committed_past, wait_for_status

from herald_common.events import topics
from herald_common.platforms import Platform
from herald_common.testing import read_topic

pytestmark = pytest.mark.e2e


async def retry_pending(api: httpx.AsyncClient, post_id: str, platform: str) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 15
    while True:
        target = by_platform((await api.get(f"/api/v2/posts/{post_id}")).json())[platform]
        if target.get("next_attempt_at"):
            return target
        assert asyncio.get_running_loop().time() < deadline, target
        await asyncio.sleep(0.1)


async def test_x_429_is_honoured_until_its_reset(api: httpx.AsyncClient, emulator: httpx.AsyncClient) -> None:
    start = time.time()
    await emulator.post(
        "/_emulator/faults", json={"platform": "twitter", "kind": "rate_limit", "reset_in_s": 4, "count": 1}
    )
    reset = int(start + 4)  # what x-rate-limit-reset says (unix seconds)
    response = await api.post(
        "/api/v2/publish", json={"content": "After the reset", "platforms": ["twitter"]}
    )
    post_id = response.json()["id"]
    target = await retry_pending(api, post_id, "twitter")
    assert datetime.fromisoformat(str(target["next_attempt_at"])).timestamp() >= reset
    assert await created_on(emulator, "twitter") == []
    post = await wait_for_status(api, post_id, timeout=20)
    assert post["status"] == "published", post
    (tweet,) = await created_on(emulator, "twitter")
    created_at = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00")).timestamp()
    assert created_at >= reset, "published before the reset X named"
    assert by_platform(post)["twitter"]["attempts"] == 2


def seconds_to_utc_midnight() -> float:
    now = datetime.now(UTC)
    return (
        (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0) - now
    ).total_seconds()


@pytest.mark.parametrize("platform", ["facebook", "linkedin"])
async def test_throttling_schedules_the_retry_for_when_the_platform_allows(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, kafka_bootstrap: str, platform: str
) -> None:
    """Facebook names minutes, LinkedIn resets at midnight UTC: too long to wait for here, so the
    retry time is checked, nothing was posted once the scheduler and the publisher are past the
    post, and the post is cancelled."""
    await emulator.post(
        "/_emulator/faults", json={"platform": platform, "kind": "rate_limit", "reset_in_s": 120, "count": 1}
    )
    response = await api.post(
        "/api/v2/publish", json={"content": f"Throttled on {platform}", "platforms": [platform]}
    )
    post_id = response.json()["id"]
    target = await retry_pending(api, post_id, platform)
    wait = datetime.fromisoformat(str(target["next_attempt_at"])).timestamp() - time.time()
    # Facebook: estimated_time_to_regain_access (2 minutes); LinkedIn: its daily reset.
    expected = 120.0 if platform == "facebook" else seconds_to_utc_midnight()
    assert abs(wait - expected) < 10, (wait, target)
    assert "throttled" in str(target.get("reason") or "").lower() or target.get("reason") is None
    # A marker on an unthrottled platform, due a little later: the scheduler fires in due order, so
    # once it is published, a retry wrongly timed before it would already be on the due topic.
    marker = await api.post(
        "/api/v2/schedule",
        json={
            "content": f"After the throttled {platform} post",
            "platforms": ["twitter"],
            "scheduled_for": (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat(),
        },
    )
    assert (await wait_for_status(api, marker.json()["id"]))["status"] == "published"
    (due,) = [
        r
        for r in await read_topic(kafka_bootstrap, topics.post_due_topic(Platform(platform)))
        if r.key == post_id.encode()
    ]
    # The publisher commits below finished work only: past the due event, it is done with it.
    group = "publisher-meta" if platform == "facebook" else f"publisher-{platform}"
    await wait_committed_past(kafka_bootstrap, group, TopicPartition(due.topic, due.partition), due.offset)
    assert await created_on(emulator, platform) == []
    await cancel(api, post_id)

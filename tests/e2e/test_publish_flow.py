"""Publish now and later through the running services, the real infrastructure and the emulator."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e


async def test_publish_now_reaches_linkedin_x_and_facebook(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    response = await api.post(
        "/api/v2/publish",
        json={
            "content": "Launch day at Herald",
            "platforms": ["linkedin", "twitter", "facebook"],
            "business_id": 1,
        },
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert response.headers["location"] == f"/api/v2/posts/{accepted['id']}"
    assert accepted["links"]["self"] == response.headers["location"]

    post = await wait_for_status(api, accepted["id"])
    assert post["status"] == "published", post
    targets = by_platform(post)
    for platform in ("linkedin", "twitter", "facebook"):
        created = await created_on(emulator, platform)
        assert [c["id"] for c in created] == [targets[platform]["platform_post_id"]], platform
        assert created[0]["text"] == "Launch day at Herald"
        assert targets[platform]["url"] == created[0]["url"]
        assert targets[platform]["attempts"] == 1


async def test_scheduled_post_goes_out_after_its_time_not_before(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=3)
    response = await api.post(
        "/api/v2/schedule",
        json={"content": "Scheduled hello", "platforms": ["twitter"], "scheduled_for": due.isoformat()},
    )
    assert response.status_code == 202, response.text
    post_id = response.json()["id"]
    assert response.json()["status"] == "scheduled"

    post = await wait_for_status(api, post_id, timeout=15)
    assert post["status"] == "published"
    (tweet,) = await created_on(emulator, "twitter")
    created_at = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
    assert created_at >= due, (created_at, due)
    assert created_at - due < timedelta(seconds=1), "posted on the second it was scheduled for"


async def test_schedule_with_a_local_time_and_timezone(api: httpx.AsyncClient) -> None:
    local = (datetime.now(UTC) + timedelta(hours=2)).astimezone().replace(tzinfo=None)
    response = await api.post(
        "/api/v2/schedule",
        json={
            "content": "Paris time",
            "platforms": ["linkedin"],
            "scheduled_for": local.isoformat(),
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 202, response.text
    stored = datetime.fromisoformat(response.json()["scheduled_for"])
    from zoneinfo import ZoneInfo

    assert stored == local.replace(tzinfo=ZoneInfo("Europe/Paris"))


async def test_long_text_becomes_an_x_thread_and_linkedin_comments(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    words = [f"word{i:04d}" for i in range(500)]  # ~4,500 characters
    text = " ".join(words)
    response = await api.post("/api/v2/publish", json={"content": text, "platforms": ["twitter", "linkedin"]})
    post = await wait_for_status(api, response.json()["id"])
    assert post["status"] == "published", post

    tweets = await created_on(emulator, "twitter")
    assert len(tweets) > 1
    for previous, tweet in itertools.pairwise(tweets):
        assert tweet["in_reply_to"] == previous["id"], "each part replies to the one before"
    assert " ".join(t["text"] for t in tweets).split() == words

    linkedin = await created_on(emulator, "linkedin")
    first, comments = linkedin[0], linkedin[1:]
    assert first["kind"] == "post" and comments and all(c["kind"] == "comment" for c in comments)
    assert " ".join(c["text"] for c in linkedin).split() == words
    assert [p["platform_post_id"] for p in by_platform(post)["twitter"]["parts"]] == [t["id"] for t in tweets]


async def test_post_produced_straight_to_kafka_is_tracked_and_published(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    import uuid

    from aiokafka import AIOKafkaProducer

    from herald_common.events import PostRequested, PostTarget, encode, utcnow

    post_id = str(uuid.uuid4())
    event = PostRequested(
        post_id=post_id,
        business_id=1,
        requested_at=utcnow(),
        targets=(PostTarget(platform="facebook", content="From an internal service"),),
    )
    record = encode(event, source="/internal/newsletter")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            record.topic,
            record.value,
            key=record.key,
            headers=[(k, v.encode()) for k, v in record.headers.items()],
        )
    finally:
        await producer.stop()

    async def visible() -> bool:
        return (await api.get(f"/api/v2/posts/{post_id}")).status_code == 200

    deadline = asyncio.get_running_loop().time() + 10
    while not await visible():
        assert asyncio.get_running_loop().time() < deadline, "the post never reached the status store"
        await asyncio.sleep(0.1)
    post = await wait_for_status(api, post_id)
    assert post["status"] == "published"
    assert [p["text"] for p in await created_on(emulator, "facebook")] == ["From an internal service"]

"""Lifecycle events reach a running gateway through Kafka and GET /api/v2/posts/{id} shows them:
a thread that stopped half-way lists its live parts, and results applied twice, late or out of
order never move a platform back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from herald_common.events import (
    LifecycleEvent,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostRetryScheduled,
    PublishedPart,
    encode,
    utcnow,
)
from herald_common.kafka.producer import Producer
from herald_common.platforms import Platform

X = Platform.TWITTER
WAIT_S = 30.0


def part(index: int) -> PublishedPart:
    return PublishedPart(
        index=index, platform_post_id=f"18{index:017d}", url=f"https://x.com/i/web/status/{index}"
    )


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[Producer]:
    producer = Producer(kafka_bootstrap, "lifecycle-intake-test")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def until(
    read: Callable[[], Awaitable[dict[str, Any]]], check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll the post until `check` holds (bounded); the last view when it never does."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while True:
        view = await read()
        if check(view) or asyncio.get_running_loop().time() > deadline:
            return view
        await asyncio.sleep(0.1)


def platform(view: dict[str, Any], name: Platform) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in view["platforms"] if p["platform"] == name.value)
    return found


async def test_half_published_thread_shows_its_live_parts_and_results_never_regress(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str], producer: Producer
) -> None:
    headers = {"Authorization": f"Bearer {token_for()}"}
    async with gateway_factory() as gateway:
        accepted = await gateway.post(
            "/api/v2/publish",
            json={"content": "a thread", "platforms": ["twitter", "linkedin"], "business_id": 1},
            headers=headers,
        )
        assert accepted.status_code == 202, accepted.text
        post_id = accepted.json()["id"]

        async def read() -> dict[str, Any]:
            response = await gateway.get(f"/api/v2/posts/{post_id}", headers=headers)
            assert response.status_code == 200
            body: dict[str, Any] = response.json()
            return body

        async def send(*events: LifecycleEvent) -> None:
            await producer.send_all([encode(e, source="/herald/tests") for e in events])

        common = {"post_id": post_id, "business_id": 1, "occurred_at": utcnow()}
        partial = PostPartiallyPublished(
            platform=X, attempt=1, parts=(part(0), part(1)), planned_parts=3,
            reason="X refused part 3", error_code="400", **common,
        )  # fmt: skip
        await send(partial)
        view = await until(read, lambda v: platform(v, X)["status"] == "partially_published")
        x = platform(view, X)
        assert x["status"] == "partially_published"
        assert [(p["index"], p["platform_post_id"], p["url"]) for p in x["parts"]] == [
            (0, part(0).platform_post_id, part(0).url),
            (1, part(1).platform_post_id, part(1).url),
        ]
        assert x["parts_planned"] == 3 and x["reason"] == "X refused part 3"
        assert x["platform_post_id"] == part(0).platform_post_id
        assert view["status"] == "publishing"  # LinkedIn is still being worked on

        # The same result again, a late failure, a stale partial with fewer parts and a stale
        # retry notice: none may apply. The LinkedIn notice after them (same partition, so
        # applied after them) says when they have been handled.
        await send(
            partial,
            PostPublishFailed(platform=X, attempt=1, reason="late failure", **common),
            partial.model_copy(update={"parts": (part(0),)}),
            PostRetryScheduled(platform=X, attempt=1, next_attempt_at=utcnow(), reason="stale", **common),
            PostRetryScheduled(
                platform=Platform.LINKEDIN, attempt=1, next_attempt_at=utcnow(), reason="marker", **common
            ),
        )
        view = await until(read, lambda v: platform(v, Platform.LINKEDIN)["reason"] == "marker")
        assert platform(view, Platform.LINKEDIN)["reason"] == "marker"
        assert platform(view, X) == x

        await send(PostPublished(platform=Platform.LINKEDIN, attempt=2, parts=(part(7),), **common))
        view = await until(read, lambda v: v["status"] != "publishing")
        assert view["status"] == "partially_published"
        assert platform(view, Platform.LINKEDIN)["parts_planned"] == 1

        # A later attempt published the whole thread: it wins over the partial result.
        await send(PostPublished(platform=X, attempt=2, parts=(part(0), part(1), part(2)), **common))
        view = await until(read, lambda v: v["status"] == "published")
        x = platform(view, X)
        assert x["status"] == "published" and view["status"] == "published"
        assert len(x["parts"]) == 3 and x["parts_planned"] == 3
        assert x["reason"] is None and x["error_code"] is None and x["attempts"] == 2

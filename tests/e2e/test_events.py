"""GET /api/v2/events against the running stack: live, tenant-filtered, resumable, authenticated."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest


class EventStream:
    """Reads `event: status` messages from an open stream."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()

    async def next(self, timeout: float = 20.0) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            event_id, data = None, None
            async for line in self.lines:
                if line.startswith("id: "):
                    event_id = int(line[4:])
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line == "" and data is not None:
                    assert data["id"] == event_id, "the SSE id is the change's id"
                    return data
            raise AssertionError("the stream ended")

        return await asyncio.wait_for(read(), timeout)

    async def until(self, post_id: str, status: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(e["post_id"] == post_id and e["status"] == status for e in seen):
            seen.append(await self.next(max(0.1, deadline - asyncio.get_running_loop().time())))
        return seen


@asynccontextmanager
async def events(stack: Any, business: int, last_event_id: int | None = None) -> AsyncIterator[EventStream]:
    headers = {"Authorization": f"Bearer {stack.token(business)}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    async with (
        httpx.AsyncClient(base_url=stack.gateway, timeout=httpx.Timeout(10, read=60)) as client,
        client.stream("GET", "/api/v2/events", headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = EventStream(response)
        # The stream is subscribed once its opening comment arrives.
        async for line in stream.lines:
            if line == ": connected":
                break
        yield stream


async def publish(stack: Any, business: int, text: str) -> str:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=15) as client:
        response = await client.post(
            "/api/v2/publish",
            json={"content": text, "platforms": ["twitter", "linkedin"]},
            headers={"Authorization": f"Bearer {stack.token(business)}"},
        )
        assert response.status_code == 202, response.text
        return str(response.json()["id"])


@pytest.mark.usefixtures("emulator")
async def test_changes_arrive_live_in_order_and_only_for_the_callers_business(stack: Any) -> None:
    async with events(stack, 1) as mine, events(stack, 2) as theirs:
        other = await publish(stack, 1, "for business 1 only")
        own = await publish(stack, 2, "for business 2")
        seen = await mine.until(other, "published")
        # Business 2's stream: its own post's changes, and nothing of business 1's before them.
        first = await theirs.next()
        assert first["post_id"] == own, f"business 2 saw another business's change first: {first}"
        theirs_seen = [first, *await theirs.until(own, "published")]
    assert {e["business_id"] for e in seen} == {1}
    assert {e["business_id"] for e in theirs_seen} == {2}
    mine_for_post = [e for e in seen if e["post_id"] == other]
    assert {(e["platform"], e["platform_status"]) for e in mine_for_post} >= {
        ("twitter", "published"),
        ("linkedin", "published"),
    }
    ids = [e["id"] for e in seen]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "ids increase"
    assert mine_for_post[-1]["type"] == "com.herald.post.published.v1"


@pytest.mark.usefixtures("emulator")
async def test_a_reconnect_with_last_event_id_gets_every_missed_change(stack: Any) -> None:
    async with events(stack, 1) as stream:
        post_id = await publish(stack, 1, "resume me")
        seen = await stream.until(post_id, "published")
    first, rest = seen[0], seen[1:]
    async with events(stack, 1, last_event_id=first["id"]) as resumed:
        replayed = [await resumed.next() for _ in rest]
    assert [e["id"] for e in replayed] == [e["id"] for e in rest]
    assert replayed == rest


async def test_the_stream_needs_a_caller_and_a_valid_resume_point(stack: Any) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
        anonymous = await client.get("/api/v2/events")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        bad = await client.get(
            "/api/v2/events",
            headers={"Authorization": f"Bearer {stack.token(1)}", "Last-Event-ID": "yesterday"},
        )
        assert bad.status_code == 422
        assert "Last-Event-ID" in bad.json()["detail"]
        foreign = await client.get(
            "/api/v2/events", params={"business_id": 2}, headers={"Authorization": f"Bearer {stack.token(1)}"}
        )
        assert foreign.status_code == 404

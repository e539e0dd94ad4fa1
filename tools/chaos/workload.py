"""The posts of a chaos run: seeded, each tagged with a marker so every object on the emulator can be
traced back to its post, created through the gateway's HTTP API and retried until accepted."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

PLATFORMS = ("linkedin", "twitter", "facebook")
# Every answer the gateway gave to a create (or the error instead of one), for the report.
ANSWERS: Counter[str] = Counter()
WORDS = [
    "launch",
    "notes",
    "today",
    "team",
    "release",
    "update",
    "product",
    "customers",
    "feedback",
    "roadmap",
    "weekly",
    "digest",
    "insights",
    "growth",
    "design",
    "engineering",
    "quality",
    "reliability",
    "delivery",
    "schedule",
    "community",
    "events",
]


@dataclass
class Deadline:
    """A loop time that may be set later (None: not yet known)."""

    at: float | None = None


@dataclass
class PlannedPost:
    index: int
    marker: str
    content: str
    platforms: list[str]
    due_in_s: float | None  # None: publish now
    submit_at_s: float
    long: bool
    post_id: str | None = None
    expected_parts: dict[str, int] = field(default_factory=dict)
    refused: str | None = None  # a 4xx answer: the harness sent something invalid
    expired: bool = False  # never accepted: the gateway was down until its due time had passed
    replay_refused: bool = False  # accepted, but a retry of the same request was refused


def marker_for(run_id: str, index: int) -> str:
    # Letters and digits only: LinkedIn cuts "little text" at reserved characters like [ ] ( ).
    return f"chaos{run_id}p{index:05d}"


def plan_posts(
    rng: random.Random, run_id: str, count: int, submit_s: float, due_within_s: float
) -> list[PlannedPost]:
    posts = []
    for i in range(count):
        long = rng.random() < 0.2
        words = rng.choices(WORDS, k=rng.randint(90, 120) if long else rng.randint(5, 20))
        marker = marker_for(run_id, i)
        submit_at = rng.uniform(0, submit_s)
        scheduled = rng.random() < 0.5
        posts.append(
            PlannedPost(
                index=i,
                marker=marker,
                content=f"{marker} " + " ".join(words) + ".",
                platforms=rng.sample(PLATFORMS, rng.randint(1, 3)),
                # Due within the window, never before it was submitted.
                due_in_s=rng.uniform(max(5.0, 0.0), max(6.0, due_within_s - submit_at))
                if scheduled
                else None,
                submit_at_s=submit_at,
                long=long,
            )
        )
    return sorted(posts, key=lambda p: p.submit_at_s)


def body_of(post: PlannedPost) -> dict[str, Any]:
    body: dict[str, Any] = {"content": post.content, "platforms": post.platforms, "business_id": 1}
    if post.due_in_s is not None:
        due = datetime.now(UTC) + timedelta(seconds=post.due_in_s)
        body["scheduled_for"] = due.isoformat()
    return body


async def expected_parts(api: httpx.AsyncClient, post: PlannedPost) -> dict[str, int]:
    """How many parts each platform should show: the gateway's own preview of the text."""
    answer = await _retrying(
        lambda: api.post("/api/v2/preview", json={"content": post.content, "platforms": post.platforms})
    )
    answer.raise_for_status()
    return {p["platform"]: len(p["parts"]) for p in answer.json()["platforms"]}


async def submit(api: httpx.AsyncClient, post: PlannedPost, run_id: str, deadline: Deadline) -> None:
    """Creates the post; retried with the same Idempotency-Key through gateway crashes and outages,
    so a request whose answer was lost is answered with the post it created."""
    post.expected_parts = await expected_parts(api, post)
    path = "/api/v2/schedule" if post.due_in_s is not None else "/api/v2/publish"
    body = body_of(post)
    headers = {"Idempotency-Key": f"chaos-{run_id}-{post.index}"}
    answer = await _retrying(lambda: api.post(path, json=body, headers=headers), deadline)
    if answer.status_code == 202:
        post.post_id = answer.json()["id"]
        return
    if answer.status_code == 422 and post.due_in_s is not None and "in the past" in answer.text:
        # The gateway was down until the due time passed. A replay of an accepted request must be
        # answered from its key first; a post found here means it was not (a failure of the run).
        post.post_id = await find_scheduled(api, post, body["scheduled_for"])
        if post.post_id is None:
            post.expired = True
            return
        post.replay_refused = True
        return
    post.refused = f"{answer.status_code} {answer.text[:300]}"


async def find_scheduled(api: httpx.AsyncClient, post: PlannedPost, due: str) -> str | None:
    when = datetime.fromisoformat(due)
    window: dict[str, str | int] = {
        "business_id": 1,
        "from": (when - timedelta(milliseconds=1)).isoformat(),
        "to": (when + timedelta(milliseconds=1)).isoformat(),
        "limit": 200,
    }
    answer = await _retrying(lambda: api.get("/api/v2/scheduled", params=window))
    answer.raise_for_status()
    return next((i["id"] for i in answer.json()["items"] if i["content"].startswith(post.marker)), None)


async def _retrying(call: Any, deadline: Deadline | None = None) -> httpx.Response:
    loop = asyncio.get_running_loop()
    deadline = deadline or Deadline(loop.time() + 300)
    delay = 0.2
    while True:
        try:
            answer: httpx.Response = await call()
            ANSWERS[str(answer.status_code)] += 1
            if answer.status_code < 500 and answer.status_code != 429:
                return answer
        except httpx.HTTPError as exc:
            ANSWERS[type(exc).__name__] += 1
        if deadline.at is not None and loop.time() > deadline.at:
            raise TimeoutError("the gateway did not answer in time")
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 2.0)

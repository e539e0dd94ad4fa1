"""Cancelling: before the due time it wins; after publishing it is refused."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from e2e_support import cancel, created_on, wait_for_status

pytestmark = pytest.mark.e2e


async def test_cancel_before_due_wins_and_nothing_is_published(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=3)
    created = await api.post(
        "/api/v2/schedule",
        json={
            "content": "Never to be seen",
            "platforms": ["twitter", "linkedin"],
            "scheduled_for": due.isoformat(),
        },
    )
    post_id = created.json()["id"]

    await cancel(api, post_id)

    # A marker due just after it on the same platforms: the scheduler fires in due order, so once the
    # marker is published on both, the cancelled post would have been fired and published before it.
    marker = await api.post(
        "/api/v2/schedule",
        json={
            "content": "Due right after the cancelled one",
            "platforms": ["twitter", "linkedin"],
            "scheduled_for": (due + timedelta(milliseconds=200)).isoformat(),
        },
    )
    assert (await wait_for_status(api, marker.json()["id"], timeout=20))["status"] == "published"
    post = (await api.get(f"/api/v2/posts/{post_id}")).json()
    assert post["status"] == "cancelled"
    assert {t["status"] for t in post["platforms"]} == {"cancelled"}
    for platform in ("twitter", "linkedin"):
        texts = [p["text"] for p in await created_on(emulator, platform)]
        assert "Due right after the cancelled one" in texts
        assert "Never to be seen" not in texts

    await cancel(api, post_id)  # again: still cancelled


async def test_cancel_after_publish_is_409_problem(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    created = await api.post("/api/v2/publish", json={"content": "Already out", "platforms": ["facebook"]})
    post_id = created.json()["id"]
    await wait_for_status(api, post_id, {"published"})

    response = await api.delete(f"/api/v2/schedule/{post_id}")
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 409 and problem["type"].endswith("/conflict")
    assert "published" in problem["detail"]


async def test_cancel_unknown_or_foreign_post_is_404(api: httpx.AsyncClient, stack: object) -> None:
    created = await api.post(
        "/api/v2/schedule",
        json={
            "content": "Business one only",
            "platforms": ["twitter"],
            "scheduled_for": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        },
    )
    post_id = created.json()["id"]
    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]

    assert (await api.delete("/api/v2/schedule/no-such-post")).status_code == 404
    foreign = await api.delete(f"/api/v2/schedule/{post_id}", headers=other)
    assert foreign.status_code == 404
    assert (await api.get(f"/api/v2/posts/{post_id}", headers=other)).status_code == 404
    await cancel(api, post_id)


async def test_cancels_racing_the_due_instant_answer_what_finally_happened(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    """DELETEs from 400 ms before to 300 ms after each post's due instant, through the whole stack:
    200 means nothing reached the platform, 409 that the post was published, and 202 (no answer in
    time) either; a cancelled post is never on the platform, a published one is there once."""
    start = datetime.now(UTC) + timedelta(seconds=4)
    posts: list[tuple[str, str, datetime, float]] = []
    for n in range(30):
        due = start + timedelta(seconds=0.15 * n)
        content = f"Race {n} {due.timestamp()}"
        created = await api.post(
            "/api/v2/schedule",
            json={"content": content, "platforms": ["twitter"], "scheduled_for": due.isoformat()},
        )
        assert created.status_code == 202, created.text
        posts.append((created.json()["id"], content, due, -0.4 + 0.7 * ((n * 7) % 30) / 29))

    async def cancel_at(post_id: str, when: datetime) -> int:
        await asyncio.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()))
        return (await api.delete(f"/api/v2/schedule/{post_id}")).status_code

    codes = await asyncio.gather(
        *(cancel_at(post_id, due + timedelta(seconds=offset)) for post_id, _, due, offset in posts)
    )
    finals = [await wait_for_status(api, post_id, {"cancelled", "published"}) for post_id, *_ in posts]
    tweets = Counter(t["text"] for t in await created_on(emulator, "twitter"))
    for (post_id, content, _, offset), code, final in zip(posts, codes, finals, strict=True):
        on_platform = tweets[content]
        assert on_platform == (1 if final["status"] == "published" else 0), (post_id, offset, code, final)
        if code == 200:
            assert final["status"] == "cancelled", (post_id, offset, final)
        elif code == 409:
            assert final["status"] == "published", (post_id, offset, final)
        else:
            assert code == 202, (post_id, offset, code)
    assert {200, 409} <= set(codes), codes  # both sides of the race were reached

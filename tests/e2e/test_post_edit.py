"""PATCH /api/v2/posts/{id}: a scheduled post is moved and rewritten before it is due; the scheduler
decides (200 edited / 409 too late), the post goes out as edited, and only the owner may edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def test_a_scheduled_post_is_moved_rewritten_and_published_as_edited(
    api: httpx.AsyncClient, stack: object, emulator: httpx.AsyncClient
) -> None:
    created = await api.post(
        "/api/v2/schedule",
        json={
            "content": "the first words",
            "platforms": ["twitter", "linkedin"],
            "scheduled_for": later(3600),
        },
    )
    assert created.status_code == 202, created.text
    post_id = created.json()["id"]
    await wait_for_status(api, post_id, {"scheduled"})

    moved = await api.patch(
        f"/api/v2/posts/{post_id}",
        json={
            "content": "the edited words",
            "overrides": {"linkedin": {"content": "the edited words, for LinkedIn"}},
            "scheduled_for": "2031-03-01T09:00:00",
            "timezone": "Europe/Paris",
        },
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["status"] == "edited"
    post = body["post"]
    assert post["scheduled_for"].startswith("2031-03-01T08:00:00")
    assert post["timezone"] == "Europe/Paris" and post["content"] == "the edited words"
    assert by_platform(post)["linkedin"]["status"] == "scheduled"

    bad = await api.patch(f"/api/v2/posts/{post_id}", json={"overrides": {"facebook": {"content": "x"}}})
    assert bad.status_code == 422, bad.text
    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=other) as intruder:
        assert (await intruder.patch(f"/api/v2/posts/{post_id}", json={"content": "mine"})).status_code == 404

    soon = await api.patch(f"/api/v2/posts/{post_id}", json={"scheduled_for": later(2)})
    assert soon.status_code == 200, soon.text
    done = await wait_for_status(api, post_id, timeout=30)
    assert done["status"] == "published", done
    assert "the edited words" in [t["text"] for t in await created_on(emulator, "twitter")]
    assert "the first words" not in [t["text"] for t in await created_on(emulator, "twitter")]
    assert "the edited words, for LinkedIn" in [p["text"] for p in await created_on(emulator, "linkedin")]

    too_late = await api.patch(f"/api/v2/posts/{post_id}", json={"content": "after the fact"})
    assert too_late.status_code == 409, too_late.text
    assert too_late.headers["content-type"].startswith("application/problem+json")

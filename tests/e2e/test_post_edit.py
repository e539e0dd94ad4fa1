"""PATCH /api/v2/posts/{id}: a scheduled post is moved and rewritten before it is due; the scheduler
decides (200 edited / 409 too late), the post goes out as edited, and only the owner may edit."""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

from herald_common.testing import eventually

pytestmark = pytest.mark.e2e


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def edited(
    api: httpx.AsyncClient, post_id: str, answer: httpx.Response, applied: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The post after an edit sent long before its due time. 200 shows it as edited; 202 (no answer
    in time) promises nothing yet, but the edit still applies: wait until the post shows it."""
    assert answer.status_code in (200, 202), answer.text
    if answer.status_code == 200:
        assert answer.json()["status"] == "edited", answer.text
        post: dict[str, Any] = answer.json()["post"]
        assert applied(post), post
        return post
    assert answer.json()["status"] == "edit_requested", answer.text
    found: dict[str, Any] = await eventually(lambda: _shown(api, post_id, applied), timeout=20)
    return found


async def _shown(
    api: httpx.AsyncClient, post_id: str, applied: Callable[[dict[str, Any]], bool]
) -> dict[str, Any] | None:
    post: dict[str, Any] = (await api.get(f"/api/v2/posts/{post_id}")).json()
    return post if applied(post) else None


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
    post = await edited(api, post_id, moved, lambda p: p["content"] == "the edited words")
    assert post["scheduled_for"].startswith("2031-03-01T08:00:00")
    assert post["timezone"] == "Europe/Paris" and post["content"] == "the edited words"
    assert by_platform(post)["linkedin"]["status"] == "scheduled"

    bad = await api.patch(f"/api/v2/posts/{post_id}", json={"overrides": {"facebook": {"content": "x"}}})
    assert bad.status_code == 422, bad.text
    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=other) as intruder:
        assert (await intruder.patch(f"/api/v2/posts/{post_id}", json={"content": "mine"})).status_code == 404

    soon = await api.patch(f"/api/v2/posts/{post_id}", json={"scheduled_for": later(2)})
    assert soon.status_code in (200, 202), soon.text  # the move is proven by the publish below
    done = await wait_for_status(api, post_id, timeout=30)
    assert done["status"] == "published", done
    assert "the edited words" in [t["text"] for t in await created_on(emulator, "twitter")]
    assert "the first words" not in [t["text"] for t in await created_on(emulator, "twitter")]
    assert "the edited words, for LinkedIn" in [p["text"] for p in await created_on(emulator, "linkedin")]

    too_late = await api.patch(f"/api/v2/posts/{post_id}", json={"content": "after the fact"})
    assert too_late.status_code == 409, too_late.text
    assert too_late.headers["content-type"].startswith("application/problem+json")


RACES = int(os.environ.get("HERALD_E2E_EDIT_RACES", "30"))
RACE_BUSINESS = 2
"""Its own business: the races' PATCH requests have a rate-limit budget of their own."""


async def test_text_edits_racing_the_due_instant_publish_what_their_answer_promised(
    stack: Any, emulator: httpx.AsyncClient
) -> None:
    """Text-only edits sent from well before to just after each post's due instant, end to end: an
    edit answered 200 `edited` means only the new text reaches the platform, 409 means only the old
    one does, and 202 (no answer in time) means whichever the post shows once published. Never
    both texts, never neither."""
    run = uuid.uuid4().hex[:8]
    headers = {"Authorization": f"Bearer {stack.token(RACE_BUSINESS)}"}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers, timeout=30) as api:
        start = datetime.now(UTC) + timedelta(seconds=4)
        posts = []
        for n in range(RACES):
            due = start + timedelta(seconds=0.25 * n)
            created = await api.post(
                "/api/v2/schedule",
                json={
                    "content": f"race {run} {n} old",
                    "platforms": ["twitter"],
                    "scheduled_for": due.isoformat(),
                },
            )
            assert created.status_code == 202, created.text
            posts.append((created.json()["id"], due))
        rng = random.Random(run)

        async def edit(n: int, post_id: str, due: datetime) -> int:
            # From 400 ms before the due instant to 100 ms after: early edits win, late ones are refused.
            at = due + timedelta(seconds=rng.uniform(-0.4, 0.1))
            await asyncio.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()))
            answer = await api.patch(f"/api/v2/posts/{post_id}", json={"content": f"race {run} {n} new"})
            assert answer.status_code in (200, 202, 409), answer.text
            return answer.status_code

        answers = await asyncio.gather(*(edit(n, p, due) for n, (p, due) in enumerate(posts)))
        finals = [await wait_for_status(api, post_id, timeout=60) for post_id, _ in posts]

    texts = [t["text"] for t in await created_on(emulator, "twitter") if f"race {run} " in t["text"]]
    for n, (code, final) in enumerate(zip(answers, finals, strict=True)):
        assert final["status"] == "published", final
        promised = {200: f"race {run} {n} new", 409: f"race {run} {n} old"}.get(code, final["content"])
        published = [t for t in texts if t.startswith(f"race {run} {n} ")]
        assert published == [promised], f"race {n}: answered {code}, the platform got {published}"
    assert 200 in answers and 409 in answers, f"the edits did not race the due instants: {answers}"

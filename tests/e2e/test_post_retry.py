"""POST /api/v2/posts/{id}/retry: a failed platform gets a new attempt and goes out; what is already
live is never posted again; a retry names only failed or missed platforms of the caller's posts."""

from __future__ import annotations

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e


async def test_a_failed_platform_is_retried_and_the_live_one_is_left_alone(
    api: httpx.AsyncClient, stack: object, emulator: httpx.AsyncClient
) -> None:
    await emulator.post(
        "/_emulator/faults",
        json={"platform": "twitter", "kind": "status", "status": 403, "endpoint": "create_tweet", "count": 1},
    )
    text = "retried after a refusal"
    created = await api.post("/api/v2/publish", json={"content": text, "platforms": ["linkedin", "twitter"]})
    post_id = created.json()["id"]
    first = await wait_for_status(api, post_id, timeout=30)
    assert first["status"] == "partially_published", first
    assert by_platform(first)["twitter"]["status"] == "failed"

    too_much = await api.post(f"/api/v2/posts/{post_id}/retry", json={"platforms": ["linkedin"]})
    assert too_much.status_code == 409, too_much.text
    assert "linkedin is published" in too_much.json()["detail"]
    absent = await api.post(f"/api/v2/posts/{post_id}/retry", json={"platforms": ["facebook"]})
    assert absent.status_code == 422, absent.text
    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=other) as intruder:
        assert (await intruder.post(f"/api/v2/posts/{post_id}/retry")).status_code == 404

    retried = await api.post(f"/api/v2/posts/{post_id}/retry")
    assert retried.status_code == 202, retried.text
    twitter = by_platform(retried.json())["twitter"]
    assert twitter["status"] == "publishing" and twitter["attempts"] == 2
    again = await api.post(f"/api/v2/posts/{post_id}/retry")
    assert again.status_code == 409, "a retry in flight is not requested twice"

    done = await wait_for_status(api, post_id, {"published"}, timeout=30)
    assert by_platform(done)["twitter"]["attempts"] == 2
    assert [t["text"] for t in await created_on(emulator, "twitter")].count(text) == 1
    assert [p["text"] for p in await created_on(emulator, "linkedin")].count(text) == 1
    assert (await api.post(f"/api/v2/posts/{post_id}/retry")).status_code == 409

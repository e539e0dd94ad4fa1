"""Through the running stack: a thread that X refuses at part 3 is shown as partially published
with its two live tweets, and a continuation repeating the first tweet is marked and posted."""

from __future__ import annotations

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e


def paragraph(word: str, length: int) -> str:
    return " ".join([word] * (length // (len(word) + 1) + 1))[:length].rstrip()


async def test_a_thread_refused_half_way_shows_its_live_parts(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    # From now on X refuses anything over 200: parts 1 and 2 (150) pass, part 3 (270) never will.
    await emulator.post("/_emulator/config", json={"twitter": {"max_weighted_length": 200}})
    try:
        content = "\n\n".join([paragraph("one", 150), paragraph("two", 150), paragraph("three", 270)])
        created = await api.post("/api/v2/publish", json={"content": content, "platforms": ["twitter"]})
        assert created.status_code == 202, created.text
        post = await wait_for_status(api, created.json()["id"])
    finally:
        await emulator.post("/_emulator/config", json={"twitter": {"max_weighted_length": 280}})
    tweets = await created_on(emulator, "twitter")
    x = by_platform(post)["twitter"]
    assert post["status"] == "partially_published"
    assert x["status"] == "partially_published"
    assert [(p["platform_post_id"], p["url"]) for p in x["parts"]] == [(t["id"], t["url"]) for t in tweets]
    assert len(tweets) == 2 and x["parts_planned"] == 3
    assert x["reason"]


async def test_a_continuation_repeating_the_first_tweet_is_marked(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    repeated = paragraph("echo", 200)
    created = await api.post(
        "/api/v2/publish", json={"content": f"{repeated}\n\n{repeated}", "platforms": ["twitter"]}
    )
    post = await wait_for_status(api, created.json()["id"])
    first, second = await created_on(emulator, "twitter")
    assert post["status"] == "published"
    assert [p["platform_post_id"] for p in by_platform(post)["twitter"]["parts"]] == [
        first["id"],
        second["id"],
    ]
    assert second["text"] == f"{repeated} (2/2)" and second["in_reply_to"] == first["id"]

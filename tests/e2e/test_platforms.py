"""Platform fidelity through the running stack: per platform a plain post, a long post, a post with
an image, a lost answer that does not duplicate, an expired token, and Instagram's image and
carousel posts. Rate limits are in test_platform_limits.py."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e


LONG_WORDS = [f"word{i:04d}" for i in range(420)]  # ~3,800 characters: a thread / comments


def sample(emulator: httpx.AsyncClient, name: str = "sample.jpg") -> str:
    return f"{emulator.base_url}/_emulator/media/{name}".replace("//_", "/_")


async def publish(api: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await api.post("/api/v2/publish", json=body)
    assert response.status_code == 202, response.text
    return await wait_for_status(api, response.json()["id"], timeout=30)


async def fault(emulator: httpx.AsyncClient, **rule: Any) -> None:
    (await emulator.post("/_emulator/faults", json=rule)).raise_for_status()


@pytest.mark.parametrize("platform", ["linkedin", "twitter", "facebook"])
async def test_plain_post(api: httpx.AsyncClient, emulator: httpx.AsyncClient, platform: str) -> None:
    post = await publish(api, content=f"Plain (hello) #herald on {platform}", platforms=[platform])
    assert post["status"] == "published", post
    (made,) = await created_on(emulator, platform)
    target = by_platform(post)[platform]
    assert made["text"] == f"Plain (hello) #herald on {platform}"
    assert (target["platform_post_id"], target["url"]) == (made["id"], made["url"])


async def test_long_post_is_an_x_reply_chain(api: httpx.AsyncClient, emulator: httpx.AsyncClient) -> None:
    post = await publish(api, content=" ".join(LONG_WORDS), platforms=["twitter"], thread_numbering=True)
    assert post["status"] == "published", post
    tweets = await created_on(emulator, "twitter")
    assert len(tweets) > 10 and tweets[0]["in_reply_to"] is None
    for previous, tweet in itertools.pairwise(tweets):
        assert tweet["in_reply_to"] == previous["id"]
    assert [w for t in tweets for w in t["text"].split() if "/" not in w] == LONG_WORDS
    assert [p["platform_post_id"] for p in by_platform(post)["twitter"]["parts"]] == [t["id"] for t in tweets]


async def test_long_post_continues_as_linkedin_comments_with_a_first_comment(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    text = " ".join(f"({w})" for w in LONG_WORDS)
    post = await publish(api, content=text, platforms=["linkedin"], first_comment="More at <herald.dev>")
    assert post["status"] == "published", post
    first, *comments = await created_on(emulator, "linkedin")
    assert first["kind"] == "post" and comments and all(c["kind"] == "comment" for c in comments)
    assert all(c["in_reply_to"] == first["id"] and not c["extra"]["truncated"] for c in comments)
    assert " ".join(c["text"] for c in [first, *comments[:-1]]).split() == text.split()
    assert comments[-1]["text"] == "More at <herald.dev>"


async def test_long_post_on_facebook_is_one_post(api: httpx.AsyncClient, emulator: httpx.AsyncClient) -> None:
    post = await publish(api, content=" ".join(LONG_WORDS), platforms=["facebook"])
    assert post["status"] == "published", post
    (made,) = await created_on(emulator, "facebook")
    assert made["text"].split() == LONG_WORDS


@pytest.mark.parametrize("platform", ["linkedin", "twitter", "facebook", "instagram"])
async def test_post_with_an_image(api: httpx.AsyncClient, emulator: httpx.AsyncClient, platform: str) -> None:
    post = await publish(api, content="A picture", platforms=[platform], media_urls=[sample(emulator)])
    assert post["status"] == "published", post
    (made,) = [m for m in await created_on(emulator, platform) if m["kind"] != "comment"]
    assert made["media_ids"] and made["text"] == "A picture"
    assert by_platform(post)[platform]["url"] == made["url"]


async def test_instagram_carousel_with_first_comment(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    post = await publish(
        api,
        content="Three views",
        platforms=["instagram"],
        media_urls=[sample(emulator)] * 3,
        first_comment="Which one?",
    )
    assert post["status"] == "published", post
    carousel, comment = await created_on(emulator, "instagram")
    assert carousel["text"] == "Three views" and len(carousel["media_ids"]) == 4  # container + 3 items
    assert comment["in_reply_to"] == carousel["id"] and comment["text"] == "Which one?"


async def test_instagram_text_only_is_refused_by_the_gateway(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v2/publish", json={"content": "words only", "platforms": ["instagram"]})
    assert response.status_code == 422, response.text


async def test_a_wrong_media_type_is_a_clear_permanent_failure(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    await emulator.put("/_emulator/media/report.jpg", content=b"%PDF-1.7 not an image at all")
    post = await publish(
        api, content="Oops", platforms=["twitter"], media_urls=[sample(emulator, "report.jpg")]
    )
    target = by_platform(post)["twitter"]
    assert post["status"] == "failed" and target["error_code"] == "media_type_not_allowed", post
    assert "not an image or video" in target["reason"] and target["attempts"] == 1


@pytest.mark.parametrize(
    ("platform", "endpoint"),
    [
        ("linkedin", "create_post"),
        ("twitter", "create_tweet"),
        ("facebook", "page_feed"),
        ("instagram", "ig_media_publish"),
    ],
)
async def test_a_dropped_answer_does_not_duplicate(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, platform: str, endpoint: str
) -> None:
    await fault(
        emulator, platform=platform, kind="drop_after_create", endpoint=endpoint, latency_ms=300, count=1
    )
    media = [sample(emulator)] if platform == "instagram" else []
    post = await publish(
        api, content=f"Created, answer lost ({platform})", platforms=[platform], media_urls=media
    )
    assert post["status"] == "published", post
    (made,) = await created_on(emulator, platform)
    target = by_platform(post)[platform]
    assert target["platform_post_id"] == made["id"] and target["attempts"] == 2


@pytest.mark.parametrize("platform", ["linkedin", "twitter", "facebook", "instagram"])
async def test_an_expired_token_fails_with_reauth_required(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient, stack: Any, platform: str
) -> None:
    await fault(emulator, platform=platform, kind="expired_token")
    media = [sample(emulator)] if platform == "instagram" else []
    post = await publish(api, content="Nobody is logged in", platforms=[platform], media_urls=media)
    target = by_platform(post)[platform]
    assert post["status"] == "failed" and target["reauth_required"] is True, post
    assert target["reason"] and "dev-" not in target["reason"], "no token in a reason"
    assert await created_on(emulator, platform) == []
    # The account is marked, so the client can send the user to re-authorise; connecting it again clears it.
    accounts = {a["platform"]: a for a in (await api.get("/api/v2/accounts")).json()}
    assert accounts[platform]["status"] == "reauth_required", accounts[platform]
    stack.seed()
    accounts = {a["platform"]: a for a in (await api.get("/api/v2/accounts")).json()}
    assert accounts[platform]["status"] == "active"

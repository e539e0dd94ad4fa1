"""The LinkedIn client against the emulator: what it creates and how it classifies every answer."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.budget import seconds_to_utc_midnight
from herald_common.publishing.outcomes import (
    DuplicateContent,
    PermanentError,
    ReauthRequired,
    RetryableError,
)
from herald_common.publishing.testing import part_request
from herald_emulator.testing import BASE_URL, SAMPLE_JPEG_PATH, created
from herald_publisher_linkedin.client import LinkedInClient
from herald_publisher_linkedin.settings import Settings

SAMPLE = BASE_URL + SAMPLE_JPEG_PATH
MEMBER = Account(Platform.LINKEDIN, "urn:li:person:demo", "dev-linkedin")


async def fault(emulator: httpx.AsyncClient, **rule: object) -> None:
    (await emulator.post("/_emulator/faults", json={"platform": "linkedin", **rule})).raise_for_status()


async def test_plain_post_is_escaped_little_text_and_names_its_url(
    client: LinkedInClient, emulator: httpx.AsyncClient
) -> None:
    made = await client.publish(part_request(MEMBER, "Launch (beta) today #herald <3 *bold*"))
    (post,) = await created(emulator, "linkedin")
    assert post["id"] == made.platform_post_id and made.url == post["url"]
    assert post["text"] == "Launch (beta) today #herald <3 *bold*"
    assert post["extra"]["truncated"] is False, "unescaped reserved characters would cut the text"
    assert post["account"] == "urn:li:person:demo"


async def test_organisation_author(client: LinkedInClient, emulator: httpx.AsyncClient) -> None:
    org = dataclasses.replace(MEMBER, account_id="urn:li:organization:42")
    await client.publish(part_request(org, "From the company page"))
    assert [p["account"] for p in await created(emulator, "linkedin")] == ["urn:li:organization:42"]


async def test_an_author_that_is_not_a_urn_is_refused_before_calling(client: LinkedInClient) -> None:
    with pytest.raises(PermanentError, match="neither urn:li:person"):
        await client.publish(part_request(dataclasses.replace(MEMBER, account_id="demo"), "hi"))


async def test_long_post_continues_as_escaped_comments_on_the_first_post(
    client: LinkedInClient, emulator: httpx.AsyncClient
) -> None:
    text = " ".join(f"(word{i:04d})" for i in range(600))
    parts = client.split(PostTarget(platform=Platform.LINKEDIN, content=text), numbering=False)
    assert len(parts) > 1
    root = await client.publish(part_request(MEMBER, parts[0]))
    for index, body in enumerate(parts[1:], start=1):
        await client.publish(
            part_request(MEMBER, body, kind="continuation", parent=root, root=root, index=index)
        )
    post, *comments = await created(emulator, "linkedin")
    assert post["kind"] == "post" and all(c["kind"] == "comment" for c in comments)
    assert all(c["in_reply_to"] == root.platform_post_id for c in comments)
    assert " ".join(p["text"] for p in [post, *comments]).split() == text.split()


async def test_one_image_and_several_images(client: LinkedInClient, emulator: httpx.AsyncClient) -> None:
    await client.publish(part_request(MEMBER, "one picture", media_urls=[SAMPLE]))
    await client.publish(
        part_request(MEMBER, "two pictures", media_urls=[SAMPLE, BASE_URL + "/_emulator/media/sample.png"])
    )
    single, multi = await created(emulator, "linkedin")
    assert len(single["media_ids"]) == 1 and single["media_ids"][0].startswith("urn:li:image:")
    assert len(multi["media_ids"]) == 2


async def test_media_of_a_type_linkedin_does_not_take_is_a_permanent_failure(
    client: LinkedInClient, emulator: httpx.AsyncClient
) -> None:
    await emulator.put("/_emulator/media/clip.jpg", content=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    with pytest.raises(PermanentError) as caught:
        await client.publish(
            part_request(MEMBER, "a video named .jpg", media_urls=[BASE_URL + "/_emulator/media/clip.jpg"])
        )
    assert caught.value.code == "media_type_not_allowed" and "video/mp4" in caught.value.reason
    assert await created(emulator, "linkedin") == []


async def test_media_url_that_is_not_http_is_refused(client: LinkedInClient) -> None:
    with pytest.raises(PermanentError, match="not an http"):
        await client.publish(part_request(MEMBER, "x", media_urls=["file:///etc/passwd"]))


async def test_429_waits_for_midnight_utc(client: LinkedInClient, emulator: httpx.AsyncClient) -> None:
    await fault(emulator, kind="rate_limit", count=1)
    with pytest.raises(RetryableError) as caught:
        await client.publish(part_request(MEMBER, "throttled"))
    assert caught.value.rate_limited and caught.value.retry_after is not None
    assert abs(caught.value.retry_after - seconds_to_utc_midnight()) < 5
    assert not caught.value.maybe_created


async def test_server_error_may_have_created_the_post(
    client: LinkedInClient, emulator: httpx.AsyncClient
) -> None:
    await fault(emulator, kind="status", status=503, count=1)
    with pytest.raises(RetryableError) as caught:
        await client.publish(part_request(MEMBER, "unlucky"))
    assert caught.value.maybe_created and caught.value.code == "http_503"


async def test_expired_token_asks_for_reauth(client: LinkedInClient, emulator: httpx.AsyncClient) -> None:
    await fault(emulator, kind="expired_token", count=1)
    with pytest.raises(ReauthRequired) as caught:
        await client.publish(part_request(MEMBER, "hello"))
    assert caught.value.code in ("EXPIRED_ACCESS_TOKEN", "65602")
    assert "dev-linkedin" not in caught.value.reason


async def test_inactive_version_and_too_long_text_are_permanent_with_code_and_reason(
    emulator: httpx.AsyncClient, settings: Settings
) -> None:
    old = LinkedInClient(emulator, settings.model_copy(update={"linkedin_version": "202001"}))
    with pytest.raises(PermanentError) as caught:
        await old.publish(part_request(MEMBER, "hi"))
    assert caught.value.code == "NONEXISTENT_VERSION" and "HERALD_LINKEDIN_VERSION" in caught.value.reason
    client = LinkedInClient(emulator, settings)
    with pytest.raises(PermanentError) as caught:
        await client.publish(part_request(MEMBER, "x" * 3001))
    assert "3000 characters" in caught.value.reason and caught.value.code


async def test_duplicate_names_the_earlier_post(client: LinkedInClient) -> None:
    first = await client.publish(part_request(MEMBER, "same words"))
    with pytest.raises(DuplicateContent) as caught:
        await client.publish(part_request(MEMBER, "same words"))
    assert caught.value.existing is not None
    assert caught.value.existing.platform_post_id == first.platform_post_id


async def test_find_recognises_a_post_and_a_comment_created_earlier(client: LinkedInClient) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    root = await client.publish(part_request(MEMBER, "look (me) up"))
    comment = await client.publish(part_request(MEMBER, "and [me]", kind="comment", parent=root, root=root))
    assert await client.find(part_request(MEMBER, "look (me) up"), since) == root
    found = await client.find(part_request(MEMBER, "and [me]", kind="comment", parent=root, root=root), since)
    assert found == comment
    assert await client.find(part_request(MEMBER, "never posted"), since) is None


def test_split_is_the_text_modules_plan() -> None:
    from herald_common.text import plan_post

    text = " ".join(itertools.repeat("lorem ipsum dolor", 400))
    client = LinkedInClient.__new__(LinkedInClient)
    assert client.split(PostTarget(platform=Platform.LINKEDIN, content=text), False) == [
        p.text for p in plan_post(Platform.LINKEDIN, text).parts
    ]

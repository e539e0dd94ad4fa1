"""The Facebook Pages client against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.outcomes import DuplicateContent, PermanentError, ReauthRequired, RetryableError
from herald_common.publishing.testing import part_request
from herald_emulator.testing import BASE_URL, PAGE_ID, SAMPLE_JPEG_PATH, created
from herald_publisher_meta.facebook import FacebookClient

PAGE = Account(Platform.FACEBOOK, PAGE_ID, "dev-meta-page")
SAMPLE = BASE_URL + SAMPLE_JPEG_PATH


async def fault(emulator: httpx.AsyncClient, **rule: object) -> None:
    (await emulator.post("/_emulator/faults", json={"platform": "facebook", **rule})).raise_for_status()


async def test_text_post_and_first_comment(facebook: FacebookClient, emulator: httpx.AsyncClient) -> None:
    post = await facebook.publish(part_request(PAGE, "Hello Page"))
    comment = await facebook.publish(
        part_request(PAGE, "first!", kind="comment", parent=post, root=post, index=1)
    )
    made_post, made_comment = await created(emulator, "facebook")
    assert (made_post["id"], made_post["url"], made_post["text"]) == (
        post.platform_post_id,
        post.url,
        "Hello Page",
    )
    assert made_comment["kind"] == "comment" and made_comment["in_reply_to"] == post.platform_post_id
    assert made_comment["id"] == comment.platform_post_id


async def test_link_post(facebook: FacebookClient, emulator: httpx.AsyncClient) -> None:
    await facebook.publish(part_request(PAGE, "Read https://herald.dev/blog today"))
    (post,) = await created(emulator, "facebook")
    assert post["extra"].get("link") == "https://herald.dev/blog"


async def test_one_photo_and_several(facebook: FacebookClient, emulator: httpx.AsyncClient) -> None:
    await facebook.publish(part_request(PAGE, "one", media_urls=[SAMPLE]))
    await facebook.publish(
        part_request(PAGE, "two", media_urls=[SAMPLE, BASE_URL + "/_emulator/media/sample.png"])
    )
    single, multi = await created(emulator, "facebook")
    assert single["text"] == "one" and len(single["media_ids"]) == 1
    assert multi["text"] == "two" and len(multi["media_ids"]) == 2


async def test_throttling_waits_for_the_estimated_time_to_regain_access(
    facebook: FacebookClient, emulator: httpx.AsyncClient
) -> None:
    await fault(emulator, kind="rate_limit", reset_in_s=300, count=1)
    with pytest.raises(RetryableError) as caught:
        await facebook.publish(part_request(PAGE, "slow down"))
    assert caught.value.rate_limited and caught.value.retry_after == 300
    assert caught.value.code == "32"


async def test_duplicate_expired_token_permission_and_transient(
    facebook: FacebookClient, emulator: httpx.AsyncClient
) -> None:
    await facebook.publish(part_request(PAGE, "again"))
    with pytest.raises(DuplicateContent) as dup:
        await facebook.publish(part_request(PAGE, "again"))
    assert dup.value.code == "506"
    await fault(emulator, kind="expired_token", count=1)
    with pytest.raises(ReauthRequired) as reauth:
        await facebook.publish(part_request(PAGE, "a"))
    assert reauth.value.code == "190/463" and "dev-meta-page" not in reauth.value.reason
    with pytest.raises(PermanentError) as denied:
        await facebook.publish(part_request(Account(Platform.FACEBOOK, PAGE_ID, "dev-meta-user"), "b"))
    assert denied.value.code == "200" and "(#200)" in denied.value.reason
    await fault(emulator, kind="status", status=500, count=1)
    with pytest.raises(RetryableError) as transient:
        await facebook.publish(part_request(PAGE, "c"))
    assert transient.value.maybe_created and transient.value.code == "2"


async def test_find_a_post_and_a_comment(facebook: FacebookClient) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    post = await facebook.publish(part_request(PAGE, "find me"))
    comment = await facebook.publish(part_request(PAGE, "me too", kind="comment", parent=post, root=post))
    assert await facebook.find(part_request(PAGE, "find me"), since) == post
    assert (
        await facebook.find(part_request(PAGE, "me too", kind="comment", parent=post, root=post), since)
        == comment
    )
    assert await facebook.find(part_request(PAGE, "not me"), since) is None

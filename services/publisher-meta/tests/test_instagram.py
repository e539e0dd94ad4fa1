"""The Instagram client against the emulator: containers, polling, carousels, quota."""

from __future__ import annotations

import httpx
import pytest

from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.outcomes import PermanentError, ReauthRequired, RetryableError
from herald_common.publishing.testing import part_request
from herald_emulator.testing import BASE_URL, IG_USER_ID, SAMPLE_JPEG_PATH, created
from herald_publisher_meta.instagram import InstagramClient

IG = Account(Platform.INSTAGRAM, IG_USER_ID, "dev-meta-page")
SAMPLE = BASE_URL + SAMPLE_JPEG_PATH


async def test_image_post_with_first_comment(instagram: InstagramClient, emulator: httpx.AsyncClient) -> None:
    media = await instagram.publish(part_request(IG, "Hello #herald", media_urls=[SAMPLE]))
    comment = await instagram.publish(
        part_request(IG, "first", kind="comment", parent=media, root=media, index=1)
    )
    made, made_comment = await created(emulator, "instagram")
    assert (made["id"], made["url"], made["text"]) == (media.platform_post_id, media.url, "Hello #herald")
    assert (
        made_comment["in_reply_to"] == media.platform_post_id
        and made_comment["id"] == comment.platform_post_id
    )


async def test_carousel(instagram: InstagramClient, emulator: httpx.AsyncClient) -> None:
    await instagram.publish(part_request(IG, "three", media_urls=[SAMPLE] * 3))
    (carousel,) = await created(emulator, "instagram")
    assert carousel["text"] == "three"
    assert len(carousel["media_ids"]) == 4, "the carousel container and its three items"


async def test_text_only_and_non_jpeg_are_permanent(instagram: InstagramClient) -> None:
    with pytest.raises(PermanentError, match="no text-only posts"):
        await instagram.publish(part_request(IG, "words only"))
    with pytest.raises(PermanentError) as caught:
        await instagram.publish(
            part_request(IG, "png", media_urls=[BASE_URL + "/_emulator/media/not-really-a.jpg"])
        )
    assert caught.value.code == "9004/2207052"


async def test_quota_used_up_holds_back_before_publishing(
    instagram: InstagramClient, emulator: httpx.AsyncClient
) -> None:
    await emulator.post("/_emulator/config", json={"instagram": {"quota_total": 1}})
    await instagram.publish(part_request(IG, "one", media_urls=[SAMPLE]))
    with pytest.raises(RetryableError) as caught:
        await instagram.publish(part_request(IG, "two", media_urls=[SAMPLE]))
    assert caught.value.rate_limited and caught.value.code == "9/2207042"
    assert len(await created(emulator, "instagram")) == 1


async def test_throttle_and_expired_token(instagram: InstagramClient, emulator: httpx.AsyncClient) -> None:
    await emulator.post(
        "/_emulator/faults",
        json={"platform": "instagram", "kind": "rate_limit", "reset_in_s": 120, "count": 1},
    )
    with pytest.raises(RetryableError) as caught:
        await instagram.publish(part_request(IG, "x", media_urls=[SAMPLE]))
    assert caught.value.retry_after == 120 and caught.value.code == "4"
    await emulator.post(
        "/_emulator/faults", json={"platform": "instagram", "kind": "expired_token", "count": 1}
    )
    with pytest.raises(ReauthRequired):
        await instagram.publish(part_request(IG, "y", media_urls=[SAMPLE]))

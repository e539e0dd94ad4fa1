"""A lost answer followed by more than a page of the account's posts (Facebook feed, Instagram
media): reconciliation follows Graph's paging back to the lost call's start, so nothing is
published twice."""

from __future__ import annotations

import httpx
import pytest
from meta_support import IG, PAGE, lose_the_next_answer, retried_after_the_lost_answer

from herald_common.events import PostPublished
from herald_common.platforms import Platform
from herald_common.publishing.testing import KafkaTap, due_event
from herald_emulator.testing import BASE_URL, IG_USER_ID, META_TOKEN, PAGE_ID, SAMPLE_JPEG_PATH, created
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient

pytestmark = pytest.mark.infra

JPEG = BASE_URL + SAMPLE_JPEG_PATH


async def platform_misses_repeats(emulator: httpx.AsyncClient, platform: str, endpoint: str) -> None:
    await emulator.post(
        "/_emulator/config",
        json={
            "rate_limits_enabled": False,
            "facebook": {"duplicate_window_s": 0},
            "instagram": {"container_processing_s": 0, "quota_total": 1000},
        },
    )
    await lose_the_next_answer(emulator, platform, endpoint)


async def test_facebook_lost_answer_then_more_than_a_page_of_posts(
    fresh_database: str, facebook: FacebookClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await platform_misses_repeats(emulator, "facebook", "page_feed")
    due = due_event(Platform.FACEBOOK, "Lost, then buried under newer Page posts")

    async def newer_posts() -> None:
        for index in range(130):  # more than one page (100)
            response = await emulator.post(
                f"/{PAGE_ID}/feed", data={"message": f"newer {index}", "access_token": META_TOKEN}
            )
            assert response.status_code == 200

    published = await retried_after_the_lost_answer(
        fresh_database, facebook, PAGE, kafka_tap, due, newer_posts
    )
    ours = [p for p in await created(emulator, "facebook") if p["text"] == due.target.content]
    assert len(ours) == 1
    assert isinstance(published, PostPublished)
    assert published.parts[0].platform_post_id == ours[0]["id"]


async def test_instagram_lost_answer_then_more_than_a_page_of_media(
    fresh_database: str, instagram: InstagramClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await platform_misses_repeats(emulator, "instagram", "ig_media_publish")
    due = due_event(Platform.INSTAGRAM, "Lost, then buried under newer media", media_urls=(JPEG,))

    async def newer_media() -> None:
        for index in range(110):  # more than Graph's default page (25) and than one page of 100
            container = await emulator.post(
                f"/{IG_USER_ID}/media",
                params={"image_url": JPEG, "caption": f"newer {index}", "access_token": META_TOKEN},
            )
            publish = await emulator.post(
                f"/{IG_USER_ID}/media_publish",
                params={"creation_id": container.json()["id"], "access_token": META_TOKEN},
            )
            assert publish.status_code == 200, publish.text

    published = await retried_after_the_lost_answer(
        fresh_database, instagram, IG, kafka_tap, due, newer_media
    )
    ours = [m for m in await created(emulator, "instagram") if m["text"] == due.target.content]
    assert len(ours) == 1
    assert isinstance(published, PostPublished)
    assert published.parts[0].platform_post_id == ours[0]["id"]

"""PublishService with the Meta clients, the real ledger (PostgreSQL) and the emulator."""

from __future__ import annotations

import httpx
import pytest
from meta_support import IG, PAGE, lose_the_next_answer, retried_after_the_lost_answer

from herald_common.events import PostPublished, PostPublishFailed
from herald_common.platforms import Platform
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import BASE_URL, SAMPLE_JPEG_PATH, created
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient

pytestmark = pytest.mark.infra


async def test_dropped_facebook_answer_does_not_post_twice(
    fresh_database: str, facebook: FacebookClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await lose_the_next_answer(emulator, "facebook", "page_feed")
    due = due_event(Platform.FACEBOOK, "Dropped on the way back")
    published = await retried_after_the_lost_answer(fresh_database, facebook, PAGE, kafka_tap, due)
    (post,) = await created(emulator, "facebook")
    assert isinstance(published, PostPublished) and published.parts[0].platform_post_id == post["id"]


async def test_dropped_media_publish_answer_does_not_publish_twice(
    fresh_database: str, instagram: InstagramClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await lose_the_next_answer(emulator, "instagram", "ig_media_publish")
    due = due_event(
        Platform.INSTAGRAM, "A picture", media_urls=(BASE_URL + SAMPLE_JPEG_PATH,), first_comment="hi"
    )
    published = await retried_after_the_lost_answer(fresh_database, instagram, IG, kafka_tap, due)
    media, comment = await created(emulator, "instagram")
    assert isinstance(published, PostPublished)
    assert [p.platform_post_id for p in published.parts] == [media["id"], comment["id"]]


async def test_expired_page_token_is_refreshed_once_then_reauth(
    fresh_database: str, facebook: FacebookClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await emulator.post("/_emulator/faults", json={"platform": "facebook", "kind": "expired_token"})
    accounts = FixedAccounts(PAGE)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.FACEBOOK: facebook}, accounts, kafka_tap)
        await service.handle(due_event(Platform.FACEBOOK, "hi"), "e1")
    failed = await producer.last()
    assert isinstance(failed, PostPublishFailed) and failed.reauth_required and failed.error_code == "190/463"
    assert len(accounts.refreshes) == 1

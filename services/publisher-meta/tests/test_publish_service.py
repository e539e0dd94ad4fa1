"""PublishService with the Meta clients, the real ledger (PostgreSQL) and the emulator."""

from __future__ import annotations

import httpx
import pytest

from herald_common.events import PostPublished, PostPublishFailed, PostRetryRequested
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import BASE_URL, IG_USER_ID, PAGE_ID, SAMPLE_JPEG_PATH, created
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient

pytestmark = pytest.mark.infra

PAGE = Account(Platform.FACEBOOK, PAGE_ID, "dev-meta-page")
IG = Account(Platform.INSTAGRAM, IG_USER_ID, "dev-meta-page")


async def test_dropped_facebook_answer_does_not_post_twice(
    fresh_database: str, facebook: FacebookClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await emulator.post(
        "/_emulator/faults",
        json={"platform": "facebook", "kind": "drop_after_create", "endpoint": "page_feed", "count": 1},
    )
    due = due_event(Platform.FACEBOOK, "Dropped on the way back")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(
            pool, {Platform.FACEBOOK: facebook}, FixedAccounts(PAGE), kafka_tap
        )
        await service.handle(due, "e1")
        assert isinstance(await producer.last(), PostRetryRequested)
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    published = await producer.last()
    (post,) = await created(emulator, "facebook")
    assert isinstance(published, PostPublished) and published.parts[0].platform_post_id == post["id"]


async def test_dropped_media_publish_answer_does_not_publish_twice(
    fresh_database: str, instagram: InstagramClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await emulator.post(
        "/_emulator/faults",
        json={
            "platform": "instagram",
            "kind": "drop_after_create",
            "endpoint": "ig_media_publish",
            "count": 1,
        },
    )
    due = due_event(
        Platform.INSTAGRAM, "A picture", media_urls=(BASE_URL + SAMPLE_JPEG_PATH,), first_comment="hi"
    )
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(
            pool, {Platform.INSTAGRAM: instagram}, FixedAccounts(IG), kafka_tap
        )
        await service.handle(due, "e1")
        assert isinstance(await producer.last(), PostRetryRequested)
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    published = await producer.last()
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

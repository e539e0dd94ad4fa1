"""PublishService with the LinkedIn client, the real ledger (PostgreSQL) and the emulator: a lost
answer never makes a second post, and a rejected token is refreshed once before reauth."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from herald_common.events import PostPublished, PostPublishFailed, PostRetryRequested
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import created
from herald_publisher_linkedin.client import LinkedInClient

pytestmark = pytest.mark.infra

MEMBER = Account(Platform.LINKEDIN, "urn:li:person:demo", "dev-linkedin")


async def fault(emulator: httpx.AsyncClient, **rule: object) -> None:
    (await emulator.post("/_emulator/faults", json={"platform": "linkedin", **rule})).raise_for_status()


async def test_dropped_answers_after_creation_never_duplicate_post_or_comment(
    fresh_database: str, client: LinkedInClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await fault(emulator, kind="drop_after_create", endpoint="create_post", count=1)
    await fault(emulator, kind="drop_after_create", endpoint="create_comment", count=1)
    due = due_event(Platform.LINKEDIN, "Dropped (but) created", first_comment="first [comment]")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(
            pool, {Platform.LINKEDIN: client}, FixedAccounts(MEMBER), kafka_tap
        )
        await service.handle(due, "e1")
        assert isinstance(await producer.last(), PostRetryRequested)
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
        assert isinstance(await producer.last(), PostRetryRequested), "the comment's answer was lost too"
        await service.handle(due.model_copy(update={"attempt": 3}), "e3")
        published = await producer.last()
    assert isinstance(published, PostPublished)
    post, comment = await created(emulator, "linkedin")
    assert [(p.platform_post_id, p.url) for p in published.parts] == [
        (post["id"], post["url"]),
        (comment["id"], comment["url"]),
    ]
    assert comment["text"] == "first [comment]" and comment["in_reply_to"] == post["id"]


async def test_expired_token_is_refreshed_once_then_reauth_required(
    fresh_database: str, client: LinkedInClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await fault(emulator, kind="expired_token")
    accounts = FixedAccounts(MEMBER, fresh=None)
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.LINKEDIN: client}, accounts, kafka_tap)
        await service.handle(due_event(Platform.LINKEDIN, "hello"), "e1")
    failed = await producer.last()
    assert isinstance(failed, PostPublishFailed) and failed.reauth_required
    assert "dev-linkedin" not in failed.reason
    assert accounts.refreshes == [MEMBER]
    assert await created(emulator, "linkedin") == []


async def test_a_refreshed_token_publishes(
    fresh_database: str, client: LinkedInClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    await fault(emulator, kind="expired_token", count=1)
    accounts = FixedAccounts(MEMBER, fresh=dataclasses.replace(MEMBER, access_token="dev-linkedin-fresh"))
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(pool, {Platform.LINKEDIN: client}, accounts, kafka_tap)
        await service.handle(due_event(Platform.LINKEDIN, "hello again"), "e1")
    assert isinstance(await producer.last(), PostPublished)
    assert len(accounts.refreshes) == 1
    assert len(await created(emulator, "linkedin")) == 1

"""A lost answer followed by more than a page of the author's posts: reconciliation pages back to
the lost call's start and finds the post, so it is never published twice."""

from __future__ import annotations

import httpx
import pytest

from herald_common.events import PostPublished, PostRetryRequested
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.testing import FixedAccounts, KafkaTap, due_event, ledger_pool, publish_service
from herald_emulator.testing import LINKEDIN_HEADERS, created, linkedin_post_body
from herald_publisher_linkedin.client import LinkedInClient

pytestmark = pytest.mark.infra

MEMBER = Account(Platform.LINKEDIN, "urn:li:person:demo", "dev-linkedin")
# More than one page of the finder (100) and more than the old single page of 50.
LATER_POSTS = 130


async def test_lost_answer_then_more_than_a_page_of_posts_is_found_not_reposted(
    fresh_database: str, client: LinkedInClient, emulator: httpx.AsyncClient, kafka_tap: KafkaTap
) -> None:
    # The platform does not catch the repeat itself: only reconciliation stands between a lost
    # answer and a second post.
    await emulator.post(
        "/_emulator/config", json={"rate_limits_enabled": False, "linkedin": {"duplicate_window_s": 0}}
    )
    await emulator.post(
        "/_emulator/faults",
        json={"platform": "linkedin", "kind": "drop_after_create", "endpoint": "create_post", "count": 1},
    )
    due = due_event(Platform.LINKEDIN, "Lost, then buried under newer posts")
    async with ledger_pool(fresh_database) as pool:
        service, producer = publish_service(
            pool, {Platform.LINKEDIN: client}, FixedAccounts(MEMBER), kafka_tap
        )
        await service.handle(due, "e1")
        assert isinstance(await producer.last(), PostRetryRequested)
        for index in range(LATER_POSTS):
            response = await emulator.post(
                "/rest/posts", json=linkedin_post_body(f"newer post {index}"), headers=LINKEDIN_HEADERS
            )
            assert response.status_code == 201
        await service.handle(due.model_copy(update={"attempt": 2}), "e2")
    published = await producer.last()
    ours = [p for p in await created(emulator, "linkedin") if p["text"] == due.target.content]
    assert len(ours) == 1
    assert isinstance(published, PostPublished)
    assert published.parts[0].platform_post_id == ours[0]["id"]

"""Signed webhooks end to end in process: the gateway's API registers endpoints, lifecycle events
go through the real Kafka, the notifier delivers to a real receiver on 127.0.0.1, and signatures
are checked with the Standard Webhooks reference library."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from webhook_receiver import Received, running_receiver

from herald_common.events import PostPublished, PostPublishFailed, PostScheduled, PublishedPart
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique

pytestmark = pytest.mark.infra
NOW = datetime.now(UTC)


def verified(secret: str, received: Received) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


async def register(api: Any, business: int, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = await api.client.post(
        "/api/v2/webhooks",
        json={
            "url": url,
            "events": events
            or ["post.scheduled", "post.published", "post.failed", "account.reauth_required"],
        },
        headers=api.auth(business),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["secret"].startswith("whsec_")
    return created


def published(post_id: str, business: int, platform: Platform = Platform.TWITTER) -> PostPublished:
    parts = (
        PublishedPart(index=0, platform_post_id="1", url="https://x.com/i/1"),
        PublishedPart(index=1, platform_post_id="2", url="https://x.com/i/2"),
    )
    return PostPublished(
        post_id=post_id, business_id=business, occurred_at=NOW, platform=platform, attempt=1, parts=parts
    )


async def test_every_transition_of_a_multi_platform_post_arrives_signed_and_in_order(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        hook = await register(api, business, receiver.url)
        post = unique("post")
        await produce(
            PostScheduled(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platforms=(Platform.TWITTER, Platform.LINKEDIN),
                scheduled_for=NOW,
            ),
            published(post, business),
            PostPublishFailed(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platform=Platform.LINKEDIN,
                attempt=1,
                reason="the token was revoked",
                error_code="401",
                reauth_required=True,
            ),
        )
        await eventually(lambda: len(receiver.received) >= 5, timeout=30)
        payloads = [verified(hook["secret"], r) for r in receiver.received]
        assert [(p["type"], p["data"]["platform"]) for p in payloads] == [
            ("post.scheduled", "twitter"),
            ("post.scheduled", "linkedin"),
            ("post.published", "twitter"),
            ("post.failed", "linkedin"),
            ("account.reauth_required", "linkedin"),
        ]
        assert {p["data"]["post_id"] for p in payloads} == {post}
        assert payloads[2]["data"]["parts"][1]["url"] == "https://x.com/i/2"
        assert payloads[3]["data"]["reauth_required"] is True
        assert len(set(receiver.ids())) == 5
        with pytest.raises(WebhookVerificationError):  # the check can fail: a tampered body does
            Webhook(hook["secret"]).verify(receiver.received[0].body + b" ", receiver.received[0].headers)


async def test_retries_after_500_and_timeout_keep_the_webhook_id_then_redelivery_repeats_it(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        hook = await register(api, business, receiver.url)
        receiver.script = [500, "stall"]
        await produce(published(unique("post"), business))
        await eventually(lambda: len(receiver.received) >= 3, timeout=30)
        ids = receiver.ids()
        assert len(set(ids)) == 1
        for r in receiver.received:
            verified(hook["secret"], r)

        async def log() -> list[dict[str, Any]]:
            page = await api.client.get(
                f"/api/v2/webhooks/{hook['id']}/deliveries", headers=api.auth(business)
            )
            assert page.status_code == 200
            items: list[dict[str, Any]] = page.json()["items"]
            return items if items and items[0]["status"] == "delivered" else []

        [entry] = await eventually(log, timeout=15)
        assert entry["attempts"] == 3 and entry["webhook_id"] == ids[0]
        assert entry["last_status_code"] == 200 and entry["event_type"] == "post.published"

        again = await api.client.post(
            f"/api/v2/webhooks/{hook['id']}/deliveries/{entry['id']}/redeliver", headers=api.auth(business)
        )
        assert again.status_code == 202, again.text
        await eventually(lambda: len(receiver.received) >= 4, timeout=15)
        assert receiver.ids()[3] == ids[0]
        verified(hook["secret"], receiver.received[3])


async def test_one_posts_events_wait_for_the_earlier_one(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        hook = await register(api, business, receiver.url)
        receiver.script = [500, 500]  # the first event is refused twice before it goes through
        post = unique("post")
        await produce(
            PostScheduled(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platforms=(Platform.TWITTER,),
                scheduled_for=NOW,
            ),
            published(post, business),
        )
        await eventually(lambda: len(receiver.received) >= 4, timeout=30)
        types = [json.loads(r.body)["type"] for r in receiver.received]
        assert types == ["post.scheduled"] * 3 + ["post.published"]
        verified(hook["secret"], receiver.received[3])

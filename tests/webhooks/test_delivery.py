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

from herald_common.events import (
    PostDispatched,
    PostPublished,
    PostPublishFailed,
    PostScheduled,
    PublishedPart,
)
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


async def test_during_a_rotation_both_secrets_verify(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        hook = await register(api, business, receiver.url)
        rotated = await api.client.post(
            f"/api/v2/webhooks/{hook['id']}/rotate-secret", headers=api.auth(business)
        )
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret != hook["secret"]
        await produce(published(unique("post"), business))
        await eventually(lambda: receiver.received, timeout=30)
        message = receiver.received[0]
        assert len(message.headers["webhook-signature"].split(" ")) == 2
        assert verified(new_secret, message) == verified(hook["secret"], message)
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 43 + "=").verify(message.body, message.headers)


async def test_an_endpoint_that_keeps_failing_is_disabled_and_resumes_when_enabled(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        hook = await register(api, business, receiver.url)
        receiver.default = 503
        await produce(published(unique("post"), business))

        async def disabled() -> dict[str, Any] | None:
            listed = await api.client.get("/api/v2/webhooks", headers=api.auth(business))
            [endpoint] = listed.json()
            return endpoint if not endpoint["enabled"] else None

        endpoint = await eventually(disabled, timeout=30)
        assert "HTTP 503" in endpoint["disabled_reason"]
        assert len(receiver.received) == 4  # the first try and the three retries of the schedule
        page = await api.client.get(f"/api/v2/webhooks/{hook['id']}/deliveries", headers=api.auth(business))
        [failed] = page.json()["items"]
        assert failed["status"] == "failed" and failed["last_status_code"] == 503

        later = unique("post")
        await produce(published(later, business))  # stored while disabled, sent once enabled
        receiver.default = 200
        enabled = await api.client.post(f"/api/v2/webhooks/{hook['id']}/enable", headers=api.auth(business))
        assert enabled.status_code == 200 and enabled.json()["enabled"] is True
        await eventually(
            lambda: any(json.loads(r.body)["data"]["post_id"] == later for r in receiver.received), 30
        )
        verified(hook["secret"], receiver.received[-1])


async def test_a_webhook_sees_only_its_business_events(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    other = business + 1
    async with (
        running_receiver() as mine,
        running_receiver() as theirs,
        gateway_factory() as api,
        notifier_factory(),
    ):
        hook = await register(api, business, mine.url)
        await register(api, other, theirs.url)
        their_post, my_post = unique("theirs"), unique("mine")
        await produce(published(their_post, other), published(my_post, business))
        await eventually(lambda: mine.received and theirs.received, timeout=30)
        assert [json.loads(r.body)["data"]["post_id"] for r in mine.received] == [my_post]
        assert [json.loads(r.body)["data"]["post_id"] for r in theirs.received] == [their_post]

        # The other business's caller cannot see, read, rotate, redeliver or delete this webhook.
        stranger = api.auth(other)
        assert [w["id"] for w in (await api.client.get("/api/v2/webhooks", headers=stranger)).json()] != [
            hook["id"]
        ]
        for method, path in (
            ("GET", f"/api/v2/webhooks/{hook['id']}/deliveries"),
            ("POST", f"/api/v2/webhooks/{hook['id']}/rotate-secret"),
            ("POST", f"/api/v2/webhooks/{hook['id']}/enable"),
            ("POST", f"/api/v2/webhooks/{hook['id']}/deliveries/1/redeliver"),
            ("DELETE", f"/api/v2/webhooks/{hook['id']}"),
        ):
            response = await api.client.request(method, path, headers=stranger)
            assert response.status_code == 404, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        owner = await api.client.get(f"/api/v2/webhooks/{hook['id']}/deliveries", headers=api.auth(business))
        assert len(owner.json()["items"]) == 1


async def test_the_overall_status_is_told_once_per_change(
    gateway_factory: Callable[..., Any],
    notifier_factory: Callable[..., Any],
    produce: Callable[..., Any],
    business: int,
) -> None:
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        hook = await register(api, business, receiver.url, ["post.status_changed"])
        post = unique("post")
        events = [
            PostScheduled(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platforms=(Platform.TWITTER, Platform.LINKEDIN),
                scheduled_for=NOW,
            ),
            PostDispatched(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platform=Platform.TWITTER,
                attempt=1,
                due_at=NOW,
            ),
            published(post, business),
            PostPublishFailed(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platform=Platform.LINKEDIN,
                attempt=1,
                reason="refused",
            ),
        ]
        ids = [unique("ce") for _ in events]
        await produce(*events, ids=ids)
        await produce(*events, ids=ids)  # delivered again: nothing changes, nothing is told twice
        await produce(published(post, business, Platform.LINKEDIN))  # a late success on LinkedIn
        await eventually(lambda: len(receiver.received) >= 4, timeout=30)
        payloads = [verified(hook["secret"], r) for r in receiver.received]
        assert [(p["data"]["previous_status"], p["data"]["status"]) for p in payloads] == [
            (None, "scheduled"),
            ("scheduled", "publishing"),
            ("publishing", "partially_published"),
            ("partially_published", "published"),
        ]
        assert payloads[2]["data"]["platforms"] == {"twitter": "published", "linkedin": "failed"}
        assert {p["type"] for p in payloads} == {"post.status_changed"}

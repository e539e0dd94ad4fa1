"""Signed webhooks end to end in process: the gateway's API registers endpoints, lifecycle events
go through the real Kafka, the notifier delivers to a real receiver on 127.0.0.1, and signatures
are checked with the Standard Webhooks reference library."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from webhook_receiver import running_receiver
from webhooks_support import NOW, Hooked, failed, published, register, scheduled, verified

from herald_common.events import PostDispatched
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique

pytestmark = pytest.mark.infra


async def test_every_transition_of_a_multi_platform_post_arrives_signed_and_in_order(
    hooked: Hooked, produce: Callable[..., Any]
) -> None:
    receiver, business, post = hooked.receiver, hooked.business, unique("post")
    await produce(
        scheduled(post, business, Platform.TWITTER, Platform.LINKEDIN),
        published(post, business),
        failed(
            post,
            business,
            Platform.LINKEDIN,
            "the token was revoked",
            error_code="401",
            reauth_required=True,
        ),
    )
    await eventually(lambda: len(receiver.received) >= 5, timeout=30)
    payloads = [verified(hooked.secret, r) for r in receiver.received]
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
        Webhook(hooked.secret).verify(receiver.received[0].body + b" ", receiver.received[0].headers)


async def test_retries_after_500_and_timeout_keep_the_webhook_id_then_redelivery_repeats_it(
    hooked: Hooked, produce: Callable[..., Any]
) -> None:
    api, receiver, hook, business = hooked.api, hooked.receiver, hooked.hook, hooked.business
    receiver.script = [500, "stall"]
    await produce(published(unique("post"), business))
    await eventually(lambda: len(receiver.received) >= 3, timeout=30)
    ids = receiver.ids()
    assert len(set(ids)) == 1
    for r in receiver.received:
        verified(hooked.secret, r)

    async def log() -> list[dict[str, Any]]:
        page = await api.client.get(f"/api/v2/webhooks/{hook['id']}/deliveries", headers=api.auth(business))
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
    verified(hooked.secret, receiver.received[3])


async def test_one_posts_events_wait_for_the_earlier_one(hooked: Hooked, produce: Callable[..., Any]) -> None:
    receiver, business, post = hooked.receiver, hooked.business, unique("post")
    receiver.script = [500, 500]  # the first event is refused twice before it goes through
    await produce(scheduled(post, business, Platform.TWITTER), published(post, business))
    await eventually(lambda: len(receiver.received) >= 4, timeout=30)
    types = [json.loads(r.body)["type"] for r in receiver.received]
    assert types == ["post.scheduled"] * 3 + ["post.published"]
    verified(hooked.secret, receiver.received[3])


async def test_during_a_rotation_both_secrets_verify(hooked: Hooked, produce: Callable[..., Any]) -> None:
    api, receiver, business = hooked.api, hooked.receiver, hooked.business
    rotated = await api.client.post(
        f"/api/v2/webhooks/{hooked.hook['id']}/rotate-secret", headers=api.auth(business)
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != hooked.secret
    await produce(published(unique("post"), business))
    await eventually(lambda: receiver.received, timeout=30)
    message = receiver.received[0]
    assert len(message.headers["webhook-signature"].split(" ")) == 2
    assert verified(new_secret, message) == verified(hooked.secret, message)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(message.body, message.headers)


async def test_an_endpoint_that_keeps_failing_is_disabled_and_resumes_when_enabled(
    hooked: Hooked, produce: Callable[..., Any]
) -> None:
    api, receiver, hook, business = hooked.api, hooked.receiver, hooked.hook, hooked.business
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
    [failure] = page.json()["items"]
    assert failure["status"] == "failed" and failure["last_status_code"] == 503

    later = unique("post")
    await produce(published(later, business))  # stored while disabled, sent once enabled
    receiver.default = 200
    enabled = await api.client.post(f"/api/v2/webhooks/{hook['id']}/enable", headers=api.auth(business))
    assert enabled.status_code == 200 and enabled.json()["enabled"] is True
    await eventually(
        lambda: any(json.loads(r.body)["data"]["post_id"] == later for r in receiver.received), 30
    )
    verified(hooked.secret, receiver.received[-1])


async def test_a_webhook_sees_only_its_business_events(hooked: Hooked, produce: Callable[..., Any]) -> None:
    api, mine, hook, business = hooked.api, hooked.receiver, hooked.hook, hooked.business
    other = business + 1
    async with running_receiver() as theirs:
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
            scheduled(post, business, Platform.TWITTER, Platform.LINKEDIN),
            PostDispatched(
                post_id=post,
                business_id=business,
                occurred_at=NOW,
                platform=Platform.TWITTER,
                attempt=1,
                due_at=NOW,
            ),
            published(post, business),
            failed(post, business, Platform.LINKEDIN, "refused"),
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

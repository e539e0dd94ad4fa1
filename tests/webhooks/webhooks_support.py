"""What the delivery tests share: registering an endpoint, checking a signature, and the
lifecycle events they send."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
from standardwebhooks.webhooks import Webhook
from webhook_receiver import Received, Receiver

from herald_common.events import PostPublished, PostPublishFailed, PostScheduled, PublishedPart
from herald_common.platforms import Platform

NOW = datetime.now(UTC)
DEFAULT_EVENTS = ["post.scheduled", "post.published", "post.failed", "account.reauth_required"]


@dataclass
class Api:
    client: httpx.AsyncClient
    private_key: bytes

    def auth(self, *businesses: int) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": "herald-dev",
            "aud": "herald-api",
            "sub": "user-1",
            "businesses": list(businesses),
            "iat": now,
            "exp": now + 600,
        }
        return {"authorization": f"Bearer {jwt.encode(claims, self.private_key, algorithm='RS256')}"}


@dataclass
class Hooked:
    """The gateway and the notifier running, and a receiver whose endpoint (`hook`, registered for
    the default events) belongs to `business`."""

    api: Api
    receiver: Receiver
    hook: dict[str, Any]
    business: int

    @property
    def secret(self) -> str:
        return str(self.hook["secret"])


def verified(secret: str, received: Received) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


async def register(api: Any, business: int, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = await api.client.post(
        "/api/v2/webhooks", json={"url": url, "events": events or DEFAULT_EVENTS}, headers=api.auth(business)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["secret"].startswith("whsec_")
    return created


def scheduled(post_id: str, business: int, *platforms: Platform) -> PostScheduled:
    return PostScheduled(
        post_id=post_id, business_id=business, occurred_at=NOW, platforms=platforms, scheduled_for=NOW
    )


def published(post_id: str, business: int, platform: Platform = Platform.TWITTER) -> PostPublished:
    parts = (
        PublishedPart(index=0, platform_post_id="1", url="https://x.com/i/1"),
        PublishedPart(index=1, platform_post_id="2", url="https://x.com/i/2"),
    )
    return PostPublished(
        post_id=post_id, business_id=business, occurred_at=NOW, platform=platform, attempt=1, parts=parts
    )


def failed(post_id: str, business: int, platform: Platform, reason: str, **more: Any) -> PostPublishFailed:
    return PostPublishFailed(
        post_id=post_id,
        business_id=business,
        occurred_at=NOW,
        platform=platform,
        attempt=1,
        reason=reason,
        **more,
    )

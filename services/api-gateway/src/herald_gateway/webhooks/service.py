"""Managing webhook endpoints: URL and event checks, the per-business cap, secrets shown once."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from herald_common.netguard import BlockedUrl
from herald_common.webhooks import signing
from herald_common.webhooks.catalog import EVENT_TYPES
from herald_common.webhooks.model import Delivery, Endpoint
from herald_common.webhooks.store import ROTATION_OVERLAP, WebhookStore
from herald_common.webhooks.urls import resolve_target
from herald_gateway.auth.caller import Caller
from herald_gateway.problems import Conflict, NotFound, Unprocessable
from herald_gateway.webhooks.schemas import (
    DeliveryPage,
    DeliveryView,
    NewWebhook,
    SecretRotated,
    WebhookCreated,
    WebhookView,
)


def view(e: Endpoint) -> WebhookView:
    return WebhookView(
        id=e.id,
        business_id=e.business_id,
        url=e.url,
        events=e.events,
        description=e.description,
        enabled=e.disabled_at is None,
        disabled_at=e.disabled_at,
        disabled_reason=e.disabled_reason,
        created_at=e.created_at,
    )


def delivery_view(d: Delivery) -> DeliveryView:
    return DeliveryView(
        id=str(d.id),
        webhook_id=d.message_id,
        event_type=d.event_type,
        post_id=d.post_id,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        last_latency_ms=d.last_latency_ms,
        delivered_at=d.delivered_at,
        created_at=d.created_at,
    )


class WebhooksService:
    def __init__(self, store: WebhookStore, *, allow_loopback: bool, max_per_business: int) -> None:
        self.store, self.allow_loopback, self.max_per_business = store, allow_loopback, max_per_business

    async def create(self, conn: asyncpg.Connection, caller: Caller, body: NewWebhook) -> WebhookCreated:
        business_id = caller.business(body.business_id)
        unknown = sorted(set(body.events) - set(EVENT_TYPES))
        if unknown:
            raise Unprocessable(
                f"unknown event types: {', '.join(unknown)}", unknown=unknown, known=list(EVENT_TYPES)
            )
        try:
            await resolve_target(body.url, allow_loopback=self.allow_loopback)
        except BlockedUrl as exc:
            raise Unprocessable(f"this URL cannot receive webhooks: {exc}") from None
        if await self.store.count(conn, business_id) >= self.max_per_business:
            raise Conflict(f"a business has at most {self.max_per_business} webhook endpoints")
        secret = signing.new_secret()
        events = list(dict.fromkeys(body.events))
        created = await self.store.create(
            conn,
            business_id=business_id,
            url=body.url,
            events=events,
            description=body.description,
            secret=secret,
        )
        return WebhookCreated(**view(created).model_dump(), secret=secret)

    async def list(self, caller: Caller, business_id: int | None) -> list[WebhookView]:
        ids = [caller.business(business_id)] if business_id is not None else sorted(caller.business_ids)
        return [view(e) for e in await self.store.endpoints(ids)]

    async def _owned(self, caller: Caller, endpoint_id: str) -> Endpoint:
        found = await self.store.get(endpoint_id, sorted(caller.business_ids))
        if found is None:
            raise NotFound(f"webhook {endpoint_id} not found")
        return found

    async def delete(self, caller: Caller, endpoint_id: str) -> None:
        if not await self.store.delete(endpoint_id, sorted(caller.business_ids)):
            raise NotFound(f"webhook {endpoint_id} not found")

    async def rotate(self, conn: asyncpg.Connection, caller: Caller, endpoint_id: str) -> SecretRotated:
        secret = signing.new_secret()
        if not await self.store.rotate(conn, endpoint_id, sorted(caller.business_ids), secret):
            raise NotFound(f"webhook {endpoint_id} not found")
        return SecretRotated(
            id=endpoint_id, secret=secret, previous_secret_expires_at=datetime.now(UTC) + ROTATION_OVERLAP
        )

    async def enable(self, caller: Caller, endpoint_id: str) -> WebhookView:
        found = await self.store.enable(endpoint_id, sorted(caller.business_ids))
        if found is None:
            raise NotFound(f"webhook {endpoint_id} not found")
        return view(found)

    async def deliveries(
        self, caller: Caller, endpoint_id: str, cursor: str | None, limit: int
    ) -> DeliveryPage:
        await self._owned(caller, endpoint_id)
        try:
            before = int(cursor) if cursor else None
        except ValueError:
            raise Unprocessable("cursor is not one this API handed out") from None
        rows = await self.store.deliveries(endpoint_id, before, limit)
        next_cursor = str(rows[-1].id) if len(rows) == limit else None
        return DeliveryPage(items=[delivery_view(d) for d in rows], next_cursor=next_cursor)

    async def redeliver(self, caller: Caller, endpoint_id: str, delivery_id: str) -> DeliveryView:
        await self._owned(caller, endpoint_id)
        found = await self.store.redeliver(endpoint_id, int(delivery_id)) if delivery_id.isdigit() else None
        if found is None:
            raise NotFound(f"delivery {delivery_id} not found")
        return delivery_view(found)

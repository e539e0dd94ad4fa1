"""Routes for webhook endpoints and their delivery log. The route owns the transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, Query, Request, Response

from herald_gateway.auth.dependencies import CurrentCaller
from herald_gateway.openapi import problems
from herald_gateway.problems import app_part
from herald_gateway.ratelimit import limited
from herald_gateway.webhooks.schemas import (
    DeliveryPage,
    DeliveryView,
    NewWebhook,
    SecretRotated,
    WebhookCreated,
    WebhookView,
)
from herald_gateway.webhooks.service import WebhooksService

T = TypeVar("T")

router = APIRouter(tags=["webhooks"], dependencies=[Depends(limited("rate_limit_other"))])


def service(request: Request) -> WebhooksService:
    webhooks: WebhooksService = app_part(request, "webhooks", "webhooks")
    return webhooks


async def in_transaction(
    request: Request, call: Callable[[WebhooksService, asyncpg.Connection], Awaitable[T]]
) -> T:
    """Runs `call` on one connection inside a transaction committed before the answer is sent.
    The service is looked up first, so an unconfigured gateway answers 503 without a connection."""
    webhooks = service(request)
    async with request.app.state.infra.pool.acquire() as conn, conn.transaction():
        return await call(webhooks, conn)


@router.post(
    "/api/v2/webhooks",
    status_code=201,
    response_model=WebhookCreated,
    summary="Register an endpoint",
    operation_id="createWebhook",
    responses=problems(404, 409),
)
async def create(body: NewWebhook, request: Request, caller: CurrentCaller) -> WebhookCreated:
    return await in_transaction(request, lambda webhooks, conn: webhooks.create(conn, caller, body))


@router.get(
    "/api/v2/webhooks",
    response_model=list[WebhookView],
    summary="Your endpoints (no secrets)",
    operation_id="listWebhooks",
    responses=problems(404),
)
async def list_webhooks(
    request: Request, caller: CurrentCaller, business_id: int | None = None
) -> list[WebhookView]:
    return await service(request).list(caller, business_id)


@router.delete(
    "/api/v2/webhooks/{webhook_id}",
    status_code=204,
    summary="Remove an endpoint and its log",
    operation_id="deleteWebhook",
    responses=problems(404),
)
async def delete(webhook_id: str, request: Request, caller: CurrentCaller) -> Response:
    await service(request).delete(caller, webhook_id)
    return Response(status_code=204)


@router.post(
    "/api/v2/webhooks/{webhook_id}/rotate-secret",
    response_model=SecretRotated,
    summary="New secret (shown once); the old one keeps signing for 24 h",
    operation_id="rotateWebhookSecret",
    responses=problems(404),
)
async def rotate(webhook_id: str, request: Request, caller: CurrentCaller) -> SecretRotated:
    return await in_transaction(request, lambda webhooks, conn: webhooks.rotate(conn, caller, webhook_id))


@router.post(
    "/api/v2/webhooks/{webhook_id}/enable",
    response_model=WebhookView,
    summary="Re-enable an endpoint that was disabled after failing deliveries",
    operation_id="enableWebhook",
    responses=problems(404),
)
async def enable(webhook_id: str, request: Request, caller: CurrentCaller) -> WebhookView:
    return await service(request).enable(caller, webhook_id)


@router.get(
    "/api/v2/webhooks/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    summary="The delivery log, newest first",
    operation_id="listWebhookDeliveries",
    responses=problems(404),
)
async def deliveries(
    webhook_id: str,
    request: Request,
    caller: CurrentCaller,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DeliveryPage:
    return await service(request).deliveries(caller, webhook_id, cursor, limit)


@router.post(
    "/api/v2/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryView,
    summary="Send a delivery again (same webhook-id)",
    operation_id="redeliverWebhookDelivery",
    responses=problems(404),
)
async def redeliver(
    webhook_id: str, delivery_id: str, request: Request, caller: CurrentCaller
) -> DeliveryView:
    return await service(request).redeliver(caller, webhook_id, delivery_id)

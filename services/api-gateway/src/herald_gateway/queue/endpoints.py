"""Routes of posting queues: an account's weekly slots, and what fills the next ones.

Each statement here is atomic on its own: the endpoints hand the service the pool, no transaction."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Query, Request

from herald_gateway.auth.dependencies import CurrentCaller
from herald_gateway.openapi import problems
from herald_gateway.queue.schemas import QueueSchedule, QueueView
from herald_gateway.queue.service import QueueService
from herald_gateway.ratelimit import limited

router = APIRouter(prefix="/api/v2/accounts", tags=["accounts"])


def service(request: Request) -> QueueService:
    queue: QueueService = request.app.state.posts.queue
    return queue


def pool(request: Request) -> asyncpg.Pool:
    db: asyncpg.Pool = request.app.state.posts.pool
    return db


@router.put(
    "/{account_id}/slots",
    dependencies=[Depends(limited("rate_limit_other"))],
    response_model=QueueView,
    responses=problems(404),
    operation_id="setQueueSlots",
    summary="Set the account's weekly posting slots (an IANA zone); queued posts take the next free one",
)
async def set_slots(
    account_id: str, body: QueueSchedule, request: Request, caller: CurrentCaller
) -> QueueView:
    queue = service(request)
    await queue.set_slots(pool(request), caller, account_id, body)  # one upsert: atomic alone
    return await queue.view(pool(request), caller, account_id)


@router.get(
    "/{account_id}/queue",
    dependencies=[Depends(limited("rate_limit_list"))],
    response_model=QueueView,
    responses=problems(404),
    operation_id="getQueue",
    summary="The account's next posting slots and the posts holding them",
)
async def queue(
    account_id: str, request: Request, caller: CurrentCaller, count: Annotated[int, Query(ge=1, le=100)] = 10
) -> QueueView:
    return await service(request).view(pool(request), caller, account_id, count)

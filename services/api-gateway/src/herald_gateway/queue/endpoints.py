"""Routes of posting queues: an account's weekly slots, and what fills the next ones."""

from __future__ import annotations

from typing import Annotated

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
    return await service(request).set_slots(caller, account_id, body)


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
    return await service(request).view(caller, account_id, count)

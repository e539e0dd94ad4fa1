"""GET /api/v2/events: the caller's post status changes as Server-Sent Events, resumable.

Each event's `id` is its row in the status-change log, so a client that reconnects with
`Last-Event-ID` gets every change it missed, in order. Comments every heartbeat keep proxies
from closing an idle stream (and are when a stream re-reads the log if a wake-up was lost).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
import orjson
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from herald_gateway.auth.dependencies import CurrentCaller
from herald_gateway.events import repository as repo
from herald_gateway.events.hub import ChangeHub
from herald_gateway.openapi import problems
from herald_gateway.problems import Unprocessable
from herald_gateway.ratelimit import limited

router = APIRouter(prefix="/api/v2", tags=["events"])
BATCH = 500
STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/event-stream": {
                "schema": {"type": "string"},
                "example": 'id: 42\nevent: status\ndata: {"id": 42, "post_id": "9b2f6c1e", '
                '"platform": "twitter", "status": "published", "post_status": "published"}\n\n',
            }
        },
        "description": "`event: status` messages whose data is a JSON status change; `id` resumes",
    }
}


def format_change(row: asyncpg.Record) -> bytes:
    data = {
        "id": row["id"],
        "post_id": row["post_id"],
        "business_id": row["business_id"],
        "status": row["post_status"],
        "platform": row["platform"],
        "platform_status": row["platform_status"],
        "type": row["event_type"],
        "at": row["created_at"].isoformat(),
    }
    return b"id: %d\nevent: status\ndata: %s\n\n" % (row["id"], orjson.dumps(data))


async def stream_changes(
    pool: asyncpg.Pool, hub: ChangeHub, businesses: frozenset[int], after: int, heartbeat: float
) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n: connected\n\n"
    with hub.subscribe(businesses) as wake:
        while True:
            wake.clear()  # before reading: a change committed after the read wakes us again
            rows = await repo.changes_after(pool, sorted(businesses), after, BATCH)
            for row in rows:
                yield format_change(row)
                after = row["id"]
            if len(rows) == BATCH:
                continue
            try:
                await asyncio.wait_for(wake.wait(), heartbeat)
            except TimeoutError:
                yield b": heartbeat\n\n"


def _resume_point(last_event_id: str | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return None
    with contextlib.suppress(ValueError):
        if (value := int(last_event_id)) >= 0:
            return value
    raise Unprocessable("Last-Event-ID must be an id this stream sent", field="Last-Event-ID")


@router.get(
    "/events",
    dependencies=[Depends(limited("rate_limit_other"))],
    response_class=StreamingResponse,
    responses={**STREAM_DOC, **problems(404)},
    summary="Live status changes of your posts (Server-Sent Events; resume with Last-Event-ID)",
    operation_id="streamEvents",
)
async def events(
    request: Request,
    caller: CurrentCaller,
    business_id: int | None = None,
    last_event_id: Annotated[
        str, Header(alias="Last-Event-ID", pattern="^[0-9]*$", description="the last `id` received")
    ] = "",
) -> StreamingResponse:
    businesses = caller.business_ids if business_id is None else frozenset({caller.business(business_id)})
    pool: asyncpg.Pool = request.app.state.infra.pool
    after = _resume_point(last_event_id)
    if after is None:  # a new stream starts now; only a resume replays
        after = await repo.last_id(pool)
    heartbeat = request.app.state.settings.events_heartbeat_seconds
    return StreamingResponse(
        stream_changes(pool, request.app.state.change_hub, businesses, after, heartbeat),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )

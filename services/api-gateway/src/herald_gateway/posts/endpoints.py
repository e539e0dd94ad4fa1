"""HTTP routes of the posts API (v2). Handlers parse, open the transaction and delegate to
PostsService; what follows a commit (producing the event, waiting for the scheduler's answer) is
here too."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from herald_common.platforms import Platform
from herald_gateway import cancel_waiter, idempotency
from herald_gateway.auth.caller import Caller
from herald_gateway.auth.dependencies import CurrentCaller
from herald_gateway.openapi import problems
from herald_gateway.posts.bulk import Stored
from herald_gateway.posts.schemas import (
    BulkResult,
    CancelOutcome,
    EditOutcome,
    EditRequest,
    PostAccepted,
    PostPage,
    PostStatus,
    PostView,
    PublishRequest,
    RetryRequest,
    ScheduleRequest,
)
from herald_gateway.posts.service import FINAL_POST_STATUSES, Created, PostsService
from herald_gateway.posts.transactions import snapshot, transaction, unit_of_work
from herald_gateway.ratelimit import limited
from herald_gateway.timestamps import Rfc3339

router = APIRouter(prefix="/api/v2", tags=["posts"])
BULK_PATH = "/api/v2/posts/bulk"
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="replays the first response for 24 h")
]
_ACCEPTED_HEADERS = {"Location": {"description": "the post's status URL", "schema": {"type": "string"}}}
CREATED: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "Accepted: stored with its event; it will be published",
        "headers": _ACCEPTED_HEADERS,
    },
    **problems(404),
}


def service(request: Request) -> PostsService:
    posts: PostsService = request.app.state.posts
    return posts


def pool(request: Request) -> asyncpg.Pool:
    db: asyncpg.Pool = request.app.state.posts.pool
    return db


WaitSeconds = Annotated[
    float,
    Query(
        ge=0,
        le=30,
        description="wait up to this many seconds for every platform's result: 200 with the post when "
        "they arrive in time, else the usual 202",
    ),
]
# The query parameters both post lists take.
Statuses = Annotated[list[PostStatus] | None, Query(description="repeat to match several")]
Cursor = Annotated[
    str | None, Query(pattern="^[A-Za-z0-9_-]+$", max_length=512, description="next_cursor of a page")
]
PageSize = Annotated[int, Query(ge=1, le=200)]
PUBLISHED_IN_TIME: dict[int | str, dict[str, Any]] = {
    200: {"model": PostView, "description": "With `wait`: every platform's result arrived in time"}
}


async def create_post(
    posts: PostsService,
    db: asyncpg.Pool,
    caller: Caller,
    body: PublishRequest,
    *,
    path: str,
    idempotency_key: str | None,
) -> Created:
    """The edge of every create: the checks, the transaction, then the event produced after it."""
    new = await posts.check_create(db, caller, body, path=path, idempotency_key=idempotency_key)
    if isinstance(new, Created):
        return new  # a replay: the first answer under this key
    try:
        async with unit_of_work(db, one_statement=new.one_statement) as conn:
            accepted = await posts.accept(conn, new)
    except idempotency.KeyTaken:
        return await posts.replay_of_twin(db, new)  # ours rolled back; answer as the twin did
    await posts.produce(accepted)
    return accepted.created


def accepted(created: Created) -> JSONResponse:
    headers = {"Location": created.body["links"]["self"]} if created.status_code == 202 else None
    return JSONResponse(created.body, status_code=created.status_code, headers=headers)


async def get_view(posts: PostsService, db: asyncpg.Pool, caller: Caller, post_id: str) -> PostView:
    async with snapshot(db) as conn:
        return await posts.get(conn, caller, post_id)


async def wait_for_result(
    posts: PostsService, db: asyncpg.Pool, caller: Caller, post_id: str, timeout: float
) -> PostView | None:
    """The post once every platform reached a final state, or None when `timeout` passes first.

    Reads the status store (any replica's lifecycle consumer may apply the result), backing off
    from 20 ms to 250 ms between reads: a published-now post is usually final in tens of ms."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + timeout, 0.02
    while True:
        view = await get_view(posts, db, caller, post_id)
        if view.status in FINAL_POST_STATUSES:
            return view
        left = deadline - loop.time()
        if left <= 0:
            return None
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 2, 0.25)


async def publish(
    body: PublishRequest,
    request: Request,
    caller: CurrentCaller,
    idempotency_key: IdempotencyKey = None,
    wait: WaitSeconds = 0,
) -> JSONResponse:
    # (No docstring: it would become the operation's description.) `?wait=N`: the previous
    # system's clients expect results from publish, so the status store is polled.
    posts, db = service(request), pool(request)
    created = await create_post(
        posts, db, caller, body, path=request.url.path, idempotency_key=idempotency_key
    )
    if wait <= 0 or created.status_code != 202:
        return accepted(created)
    post = await wait_for_result(posts, db, caller, created.body["id"], wait)
    if post is None:
        return accepted(created)
    return JSONResponse(post.model_dump(mode="json"), headers={"Location": created.body["links"]["self"]})


# One handler, two routes (each with its own rate limit, operation id and summary): the previous
# system's multi-platform route takes the same body, per-platform overrides included.
for route, limit, operation_id, summary in (
    ("/publish", "rate_limit_publish", "publishPost", "Publish now to one or more platforms"),
    (
        "/publish/multi-platform",
        "rate_limit_publish_multi",
        "publishPostMultiPlatform",
        "Publish now, with per-platform content overrides",
    ),
):
    router.add_api_route(
        route,
        publish,
        methods=["POST"],
        dependencies=[Depends(limited(limit))],
        status_code=202,
        response_model=PostAccepted,
        responses={**CREATED, **PUBLISHED_IN_TIME},
        operation_id=operation_id,
        summary=summary,
    )


@router.post(
    "/schedule",
    dependencies=[Depends(limited("rate_limit_schedule"))],
    status_code=202,
    response_model=PostAccepted,
    responses=CREATED,
    operation_id="schedulePost",
    summary="Publish at a later time",
)
async def schedule(
    body: ScheduleRequest, request: Request, caller: CurrentCaller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return accepted(
        await create_post(
            service(request),
            pool(request),
            caller,
            body,
            path=request.url.path,
            idempotency_key=idempotency_key,
        )
    )


@router.get(
    "/scheduled",
    dependencies=[Depends(limited("rate_limit_list"))],
    response_model=PostPage,
    responses=problems(404),
    operation_id="listScheduledPosts",
    summary="A business's scheduled posts, newest due first",
)
async def list_scheduled(
    request: Request,
    caller: CurrentCaller,
    business_id: int | None = None,
    status: Statuses = None,
    due_from: Annotated[Rfc3339 | None, Query(alias="from", description="due at or after")] = None,
    due_to: Annotated[Rfc3339 | None, Query(alias="to", description="due before")] = None,
    cursor: Cursor = None,
    limit: PageSize = 50,
) -> PostPage:
    return await service(request).list_scheduled(
        pool(request),  # two reads, each atomic alone (pages are keyset-stable)
        caller,
        business_id=business_id,
        statuses=status,
        due_from=due_from,
        due_to=due_to,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/posts",
    dependencies=[Depends(limited("rate_limit_list"))],
    response_model=PostPage,
    responses=problems(404),
    operation_id="listPosts",
    summary="Every post of a business (published now or scheduled), newest first",
)
async def list_posts(
    request: Request,
    caller: CurrentCaller,
    business_id: int | None = None,
    status: Statuses = None,
    platform: Platform | None = None,
    created_from: Annotated[Rfc3339 | None, Query(alias="from", description="created at or after")] = None,
    created_to: Annotated[Rfc3339 | None, Query(alias="to", description="created before")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="text the post contains (any platform, any case)")
    ] = None,
    cursor: Cursor = None,
    limit: PageSize = 50,
) -> PostPage:
    return await service(request).list_posts(
        pool(request),  # two reads, each atomic alone (pages are keyset-stable)
        caller,
        business_id=business_id,
        statuses=status,
        platform=platform.value if platform else None,
        created_from=created_from,
        created_to=created_to,
        cursor=cursor,
        limit=limit,
        text=q,
    )


@router.get(
    "/posts/{post_id}",
    dependencies=[Depends(limited("rate_limit_other"))],
    response_model=PostView,
    responses=problems(404),
    operation_id="getPost",
    summary="One post and its platforms",
)
async def get_post(post_id: str, request: Request, caller: CurrentCaller) -> PostView:
    return await get_view(service(request), pool(request), caller, post_id)


@router.delete(
    "/schedule/{post_id}",
    dependencies=[Depends(limited("rate_limit_cancel"))],
    response_model=CancelOutcome,
    responses={
        200: {"description": "Cancelled (or it already was)"},
        202: {"model": CancelOutcome, "description": "The scheduler has not answered yet"},
        **problems(404, 409),
    },
    operation_id="cancelPost",
    summary="Cancel a post before it is published",
)
async def cancel(post_id: str, request: Request, caller: CurrentCaller) -> JSONResponse:
    posts, request_id = service(request), str(uuid.uuid4())
    async with cancel_waiter.listen(posts.redis, request_id) as answer:  # before the ask can commit
        async with transaction(pool(request)) as conn:
            already = await posts.request_cancel(conn, caller, post_id, request_id)
        if already is not None:
            return JSONResponse(already.model_dump(mode="json"))
        # Committed: the outbox row is on its way to the scheduler, whose answer comes back here.
        reply = await answer.wait(posts.settings.cancel_wait_seconds)
    status, outcome = posts.cancel_answered(post_id, reply)
    return JSONResponse(outcome.model_dump(mode="json"), status_code=status)


@router.post(
    "/posts/{post_id}/retry",
    dependencies=[Depends(limited("rate_limit_other"))],
    status_code=202,
    response_model=PostView,
    responses={
        202: {
            "description": "Accepted: the platforms named will be published again",
            "headers": _ACCEPTED_HEADERS,
        },
        **problems(404, 409),
    },
    operation_id="retryPost",
    openapi_extra={"requestBody": {"content": {"application/json": {"example": {"platforms": ["twitter"]}}}}},
    summary="Publish the failed or missed platforms of a post again (what is live is never re-posted)",
)
async def retry(
    post_id: str, request: Request, caller: CurrentCaller, body: RetryRequest | None = None
) -> JSONResponse:
    posts, db = service(request), pool(request)
    async with transaction(db) as conn:
        await posts.retry(conn, caller, post_id, body.platforms if body else None)
    post = await get_view(posts, db, caller, post_id)
    return JSONResponse(post.model_dump(mode="json"), status_code=202, headers={"Location": post.links.self})


@router.patch(
    "/posts/{post_id}",
    dependencies=[Depends(limited("rate_limit_cancel"))],
    response_model=EditOutcome,
    responses={
        200: {"description": "Changed (`edited`), or refused because the post is already due (`refused`)"},
        202: {"model": EditOutcome, "description": "The scheduler has not answered yet"},
        **problems(404, 409),
    },
    operation_id="editPost",
    summary="Change a scheduled post (time, text, media, accounts) before it is due",
)
async def edit(post_id: str, body: EditRequest, request: Request, caller: CurrentCaller) -> JSONResponse:
    posts, db, request_id = service(request), pool(request), str(uuid.uuid4())
    async with cancel_waiter.listen(posts.redis, request_id) as answer:  # before the ask can commit
        async with transaction(db) as conn:
            await posts.request_edit(conn, caller, post_id, body, request_id)
        # Committed: the scheduler decides (as for a cancel); the status store applies an accepted edit.
        reply = await answer.wait(posts.settings.cancel_wait_seconds)
    post = await get_view(posts, db, caller, post_id) if reply == "edited" else None
    status, outcome = posts.edit_answered(post_id, reply, post)
    return JSONResponse(outcome.model_dump(mode="json"), status_code=status)


@router.post(
    "/posts/bulk",
    dependencies=[Depends(limited("rate_limit_schedule"))],
    response_model=BulkResult,
    responses=problems(404),
    operation_id="bulkCreatePosts",
    summary="Create many posts from CSV (text/csv) or JSON lines (application/x-ndjson); one answer per row",
    description="The body is CSV with a header row (`text/csv`, below) or JSON lines, one post object per "
    "line (`application/x-ndjson`, the fields of `POST /api/v2/schedule` plus `external_id`).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "external_id,content,platforms,scheduled_for\n"
                    "spring-1,Spring sale!,twitter linkedin,2030-03-01T09:00:00Z\n",
                },
            },
        }
    },
)
async def bulk(request: Request, caller: CurrentCaller, business_id: int | None = None) -> BulkResult:
    posts, body = service(request), await request.body()
    checked = await posts.check_bulk(caller, business_id, body, request.headers.get("content-type", ""))
    stored: dict[str, Stored] = {}
    for chunk in checked.chunks():
        async with transaction(pool(request)) as conn:  # a chunk at a time: each commits on its own
            stored |= await posts.store_bulk(conn, checked, chunk)
    return posts.bulk_answered(checked, stored)

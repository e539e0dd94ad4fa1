"""HTTP routes of the posts API (v2). Handlers parse and delegate to PostsService."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from herald_common.platforms import Platform
from herald_gateway.auth.dependencies import CurrentCaller
from herald_gateway.openapi import problems
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
from herald_gateway.posts.service import Created, PostsService
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


WaitSeconds = Annotated[
    float,
    Query(
        ge=0,
        le=30,
        description="wait up to this many seconds for every platform's result: 200 with the post when "
        "they arrive in time, else the usual 202",
    ),
]
PUBLISHED_IN_TIME: dict[int | str, dict[str, Any]] = {
    200: {"model": PostView, "description": "With `wait`: every platform's result arrived in time"}
}


def accepted(created: Created) -> JSONResponse:
    headers = {"Location": created.body["links"]["self"]} if created.status_code == 202 else None
    return JSONResponse(created.body, status_code=created.status_code, headers=headers)


async def accepted_or_result(
    request: Request, caller: CurrentCaller, created: Created, wait: float
) -> JSONResponse:
    """`?wait=N` (the previous system's clients expect results from publish): poll the status store."""
    if wait <= 0 or created.status_code != 202:
        return accepted(created)
    post = await service(request).wait_for_result(caller, created.body["id"], wait)
    if post is None:
        return accepted(created)
    return JSONResponse(post.model_dump(mode="json"), headers={"Location": created.body["links"]["self"]})


@router.post(
    "/publish",
    dependencies=[Depends(limited("rate_limit_publish"))],
    status_code=202,
    response_model=PostAccepted,
    responses={**CREATED, **PUBLISHED_IN_TIME},
    operation_id="publishPost",
    summary="Publish now to one or more platforms",
)
async def publish(
    body: PublishRequest,
    request: Request,
    caller: CurrentCaller,
    idempotency_key: IdempotencyKey = None,
    wait: WaitSeconds = 0,
) -> JSONResponse:
    created = await service(request).create(
        caller, body, path=request.url.path, idempotency_key=idempotency_key
    )
    return await accepted_or_result(request, caller, created, wait)


@router.post(
    "/publish/multi-platform",
    dependencies=[Depends(limited("rate_limit_publish_multi"))],
    status_code=202,
    response_model=PostAccepted,
    responses={**CREATED, **PUBLISHED_IN_TIME},
    operation_id="publishPostMultiPlatform",
    summary="Publish now, with per-platform content overrides",
)
async def publish_multi(
    body: PublishRequest,
    request: Request,
    caller: CurrentCaller,
    idempotency_key: IdempotencyKey = None,
    wait: WaitSeconds = 0,
) -> JSONResponse:
    created = await service(request).create(
        caller, body, path=request.url.path, idempotency_key=idempotency_key
    )
    return await accepted_or_result(request, caller, created, wait)


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
        await service(request).create(caller, body, path=request.url.path, idempotency_key=idempotency_key)
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
    status: Annotated[list[PostStatus] | None, Query(description="repeat to match several")] = None,
    due_from: Annotated[Rfc3339 | None, Query(alias="from", description="due at or after")] = None,
    due_to: Annotated[Rfc3339 | None, Query(alias="to", description="due before")] = None,
    cursor: Annotated[
        str | None, Query(pattern="^[A-Za-z0-9_-]+$", max_length=512, description="next_cursor of a page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PostPage:
    return await service(request).list_scheduled(
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
    status: Annotated[list[PostStatus] | None, Query(description="repeat to match several")] = None,
    platform: Platform | None = None,
    created_from: Annotated[Rfc3339 | None, Query(alias="from", description="created at or after")] = None,
    created_to: Annotated[Rfc3339 | None, Query(alias="to", description="created before")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="text the post contains (any platform, any case)")
    ] = None,
    cursor: Annotated[
        str | None, Query(pattern="^[A-Za-z0-9_-]+$", max_length=512, description="next_cursor of a page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PostPage:
    return await service(request).list_posts(
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
    return await service(request).get(caller, post_id)


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
    status, outcome = await service(request).cancel(caller, post_id)
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
    post = await service(request).retry(caller, post_id, body.platforms if body else None)
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
    status, outcome = await service(request).edit(caller, post_id, body)
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
    body = await request.body()
    return await service(request).bulk(caller, business_id, body, request.headers.get("content-type", ""))

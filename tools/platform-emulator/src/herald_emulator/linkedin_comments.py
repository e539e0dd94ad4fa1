"""LinkedIn Comments: `POST|GET /rest/socialActions/{urn}/comments` and the `/v2/socialActions` form.

Comment text is "little" text like post commentary, so unescaped reserved characters truncate it.
"""

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse

from herald_emulator.errors import linkedin_bad_request, linkedin_error
from herald_emulator.linkedin import AUTHOR_URN, int_param, post_url, utf16_length
from herald_emulator.linkedin_auth import (
    authenticate,
    json_body,
    missing_fields_error,
    require_author_allowed,
    require_restli_protocol,
    require_versioned_headers,
)
from herald_emulator.little_text import parse_little_text
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.store import CreatedObject

router = platform_router("linkedin")


@router.post("/rest/socialActions/{target_urn}/comments", name="create_comment", status_code=201)
async def create_rest_comment(target_urn: str, request: Request) -> JSONResponse:
    state = get_state(request)
    require_versioned_headers(state, request)
    return await create_comment(state, target_urn, request)


@router.post("/v2/socialActions/{target_urn}/comments", name="create_comment", status_code=201)
async def create_v2_comment(target_urn: str, request: Request) -> JSONResponse:
    state = get_state(request)
    require_restli_protocol(state, request)
    return await create_comment(state, target_urn, request)


async def create_comment(state: EmulatorState, target_urn: str, request: Request) -> JSONResponse:
    identity = authenticate(state, request)
    body = await json_body(request)
    message = body.get("message")
    missing = [
        path
        for path, present in (("/actor", "actor" in body), ("/message", isinstance(message, dict)))
        if not present
    ]
    if isinstance(message, dict) and "text" not in message:
        missing.append("/message/text")
    if missing:
        raise missing_fields_error(missing)
    actor, text = body["actor"], message["text"]  # type: ignore[index]
    if not isinstance(actor, str) or not AUTHOR_URN.match(actor):
        raise linkedin_error(422, f'ERROR :: /actor :: "{actor}" is not a valid person or organization URN\n')
    require_author_allowed(identity, actor)
    post = resolve_comment_target(state, target_urn)
    limit = state.config.linkedin.comment_max_chars
    if utf16_length(text) > limit:
        raise linkedin_bad_request(
            400,
            f"Comment text length ({utf16_length(text)} characters) exceeded the maximum allowed "
            f"({limit} characters)",
            [{"description": "Size of text exceeds maxLength", "input": {}, "code": "FIELD_LENGTH_TOO_LONG"}],
        )
    return record_comment(state, post, body, actor, text)


def resolve_comment_target(state: EmulatorState, target_urn: str) -> CreatedObject:
    post = state.objects.get("linkedin", target_urn)
    if post is None:
        for share, activity in state.extra.linkedin_activity_of_share.items():
            if activity == target_urn:
                post = state.objects.get("linkedin", share)
    if post is None or post.kind != "post":
        raise linkedin_error(404, f"Entity {target_urn} not found", code="NOT_FOUND")
    return post


def record_comment(
    state: EmulatorState, post: CreatedObject, body: dict[str, Any], actor: str, text: str
) -> JSONResponse:
    activity = state.extra.linkedin_activity_of_share[post.id]
    comment_id = state.ids.linkedin_id()
    comment_urn = f"urn:li:comment:({activity},{comment_id})"
    parent = body.get("parentComment")
    little = parse_little_text(text)
    now_ms = int(state.clock.now() * 1000)
    view: dict[str, Any] = {
        "id": comment_id,
        "commentUrn": comment_urn,
        "$URN": comment_urn,
        "actor": actor,
        "object": body.get("object", post.id),
        "message": {"text": little.stored_raw, "attributes": []},
        "created": {"actor": actor, "time": now_ms},
        "lastModified": {"actor": actor, "time": now_ms},
    }
    if isinstance(parent, str):
        view["parentComment"] = parent
    state.objects.add(
        CreatedObject(
            platform="linkedin",
            kind="comment",
            id=comment_urn,
            account=actor,
            text=little.visible,
            raw_text=text,
            created_at=state.clock.now(),
            url=f"{post_url(post.id)}?commentUrn={quote(comment_urn, safe='')}",
            in_reply_to=parent if isinstance(parent, str) else post.id,
            extra={
                "stored_text": little.stored_raw,
                "truncated": little.truncated,
                "object": post.id,
                "view": view,
            },
        )
    )
    return JSONResponse(view, status_code=201, headers={"x-restli-id": comment_urn})


@router.get("/rest/socialActions/{target_urn}/comments", name="list_comments")
async def list_rest_comments(target_urn: str, request: Request) -> JSONResponse:
    state = get_state(request)
    require_versioned_headers(state, request)
    return list_comments(state, target_urn, request)


@router.get("/v2/socialActions/{target_urn}/comments", name="list_comments")
async def list_v2_comments(target_urn: str, request: Request) -> JSONResponse:
    state = get_state(request)
    require_restli_protocol(state, request)
    return list_comments(state, target_urn, request)


def list_comments(state: EmulatorState, target_urn: str, request: Request) -> JSONResponse:
    """Comments on a post, oldest first, in the shape the create call answered with."""
    authenticate(state, request)
    post = resolve_comment_target(state, target_urn)
    comments = [
        obj.extra["view"]
        for obj in state.objects.list("linkedin", kind="comment")
        if obj.extra.get("object") == post.id and not obj.deleted
    ]
    start = int_param(request.query_params.get("start"), 0)
    count = min(int_param(request.query_params.get("count"), 10), 100)
    page = comments[start : start + count]
    return JSONResponse(
        {"elements": page, "paging": {"start": start, "count": count, "total": len(comments)}}
    )

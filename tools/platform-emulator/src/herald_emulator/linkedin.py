"""LinkedIn Posts API (`/rest/posts`).

Look-up for reconciliation: `GET /rest/posts?q=author&author={urn}&count=N` is LinkedIn's
"find posts by author" finder; it lists the author's posts newest first.
"""

import re
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from herald_emulator.errors import linkedin_bad_request, linkedin_error, linkedin_throttled
from herald_emulator.linkedin_auth import (
    authenticate,
    json_body,
    missing_fields_error,
    require_author_allowed,
    require_versioned_headers,
)
from herald_emulator.little_text import parse_little_text
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.store import CreatedObject

router = platform_router("linkedin")

AUTHOR_URN = re.compile(r"^urn:li:(person|organization):[A-Za-z0-9_\-]+$")
_VISIBILITIES = {"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"}
_LIFECYCLE_STATES = {"PUBLISHED", "DRAFT", "PUBLISH_REQUESTED"}
_REQUIRED_POST_FIELDS = ("author", "commentary", "visibility", "distribution", "lifecycleState")


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


@router.post("/rest/posts", name="create_post", status_code=201)
async def create_post(request: Request) -> Response:
    state = get_state(request)
    version = require_versioned_headers(state, request)
    identity = authenticate(state, request)
    body = await json_body(request)
    validate_post_body(body)
    author, commentary = body["author"], body["commentary"]
    require_author_allowed(identity, author)
    check_commentary_length(commentary, state.config.linkedin.commentary_max_chars)
    media_ids = referenced_media(state, body.get("content"))
    check_duplicate(state, author, commentary)
    check_daily_limit(state, author)

    share_urn = f"urn:li:share:{state.ids.linkedin_id()}"
    state.extra.linkedin_activity_of_share[share_urn] = f"urn:li:activity:{state.ids.linkedin_id()}"
    little = parse_little_text(commentary)
    state.objects.add(
        CreatedObject(
            platform="linkedin",
            kind="post",
            id=share_urn,
            account=author,
            text=little.visible,
            raw_text=commentary,
            created_at=state.clock.now(),
            url=post_url(share_urn),
            media_ids=media_ids,
            extra={
                "stored_commentary": little.stored_raw,
                "truncated": little.truncated,
                "visibility": body["visibility"],
                "lifecycleState": body["lifecycleState"],
                "distribution": body["distribution"],
                "content": body.get("content"),
                "linkedin_version": version,
            },
        )
    )
    return Response(status_code=201, headers={"x-restli-id": share_urn})


def validate_post_body(body: dict[str, Any]) -> None:
    missing = [f"/{name}" for name in _REQUIRED_POST_FIELDS if name not in body]
    distribution = body.get("distribution")
    if isinstance(distribution, dict) and "feedDistribution" not in distribution:
        missing.append("/distribution/feedDistribution")
    if missing:
        raise missing_fields_error(missing)
    problems: list[str] = []
    if not isinstance(body["author"], str) or not AUTHOR_URN.match(body["author"]):
        problems.append(f'ERROR :: /author :: "{body["author"]}" is not a valid person or organization URN\n')
    if not isinstance(body["commentary"], str):
        problems.append("ERROR :: /commentary :: not a string\n")
    for field, allowed in (("visibility", _VISIBILITIES), ("lifecycleState", _LIFECYCLE_STATES)):
        if body[field] not in allowed:
            problems.append(f'ERROR :: /{field} :: "{body[field]}" is not an enum symbol\n')
    if problems:
        raise linkedin_error(422, "".join(problems))


def check_commentary_length(commentary: str, limit: int) -> None:
    length = utf16_length(commentary)  # LinkedIn counts Java chars
    if length > limit:
        raise linkedin_bad_request(
            400,
            "com.linkedin.content.common.exception.BadRequestResponseException: ShareCommentary text length "
            f"({length} characters) exceeded the maximum allowed ({limit} characters)",
            [
                {
                    "description": "Size of array cannot be higher than the maxLength",
                    "input": {"inputPath": {"fieldPath": "/commentary"}},
                    "code": "FIELD_ARRAY_SIZE_TOO_HIGH",
                }
            ],
        )


def referenced_media(state: EmulatorState, content: Any) -> list[str]:
    """Image URNs in `content.media.id` / `content.multiImage.images[].id`; each must be uploaded."""
    if not isinstance(content, dict):
        return []
    urns: list[Any] = []
    media = content.get("media")
    if isinstance(media, dict) and isinstance(media.get("id"), str):
        urns.append(media["id"])
    multi = content.get("multiImage")
    if isinstance(multi, dict):
        urns.extend(image.get("id") for image in multi.get("images", []) if isinstance(image, dict))
    for urn in urns:
        upload = state.uploads.get(urn) if isinstance(urn, str) else None
        if upload is None or upload.uploaded_at is None:
            raise linkedin_error(
                400,
                f"com.linkedin.content.common.exception.BadRequestResponseException: Invalid media id {urn}",
            )
        ready = upload.uploaded_at + state.config.linkedin.image_processing_s <= state.clock.now()
        if state.config.linkedin.reject_unavailable_images and not ready:
            raise linkedin_error(400, f"Media {urn} is not available yet (status PROCESSING)")
    return [urn for urn in urns if isinstance(urn, str)]


def check_duplicate(state: EmulatorState, author: str, commentary: str) -> None:
    since = state.clock.now() - state.config.linkedin.duplicate_window_s
    earlier = state.objects.find_duplicate("linkedin", "post", author, commentary, since)
    if earlier is not None:
        raise linkedin_bad_request(
            422,
            "com.linkedin.content.common.exception.BadRequestResponseException: "
            f"Content is a duplicate of {earlier.id}",
            [{"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}],
        )


def check_daily_limit(state: EmulatorState, author: str) -> None:
    if not state.rate_limits_on:
        return
    now = state.clock.now()
    if (
        state.limits.daily.count(f"linkedin:posts:{author}", now)
        >= state.config.linkedin.daily_posts_per_member
    ):
        raise linkedin_throttled()
    state.limits.daily.add(f"linkedin:posts:{author}", now)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- reading posts back ---------------------------------------------------------------------


def post_element(obj: CreatedObject) -> dict[str, Any]:
    created_ms = int(obj.created_at * 1000)
    element: dict[str, Any] = {
        "id": obj.id,
        "author": obj.account,
        "commentary": obj.extra["stored_commentary"],
        "visibility": obj.extra["visibility"],
        "distribution": obj.extra["distribution"],
        "lifecycleState": obj.extra["lifecycleState"],
        "isReshareDisabledByAuthor": False,
        "createdAt": created_ms,
        "publishedAt": created_ms,
        "lastModifiedAt": created_ms,
        "lifecycleStateInfo": {"isEditedByAuthor": False},
    }
    if obj.extra.get("content") is not None:
        element["content"] = obj.extra["content"]
    return element


@router.get("/rest/posts", name="list_posts")
async def find_posts_by_author(request: Request) -> JSONResponse:
    state = get_state(request)
    require_versioned_headers(state, request)
    authenticate(state, request)
    params = request.query_params
    author = params.get("author")
    if params.get("q") != "author" or not author:
        raise linkedin_error(400, "Finder requires q=author and an author URN")
    start, count = int_param(params.get("start"), 0), min(int_param(params.get("count"), 10), 100)
    if start < 0 or count < 1:
        raise linkedin_error(400, "start must be >= 0 and count >= 1")
    if params.get("sortBy", "LAST_MODIFIED") not in ("LAST_MODIFIED", "CREATED"):
        raise linkedin_error(400, f"Invalid sortBy {params.get('sortBy')!r}")
    posts = [obj for obj in state.objects.list("linkedin", account=author, kind="post") if not obj.deleted]
    # Newest first. Posts are never edited here, so LAST_MODIFIED and CREATED give the same order.
    posts.reverse()
    page = posts[start : start + count]
    return JSONResponse(
        {
            "elements": [post_element(obj) for obj in page],
            "paging": {
                "start": start,
                "count": count,
                "links": paging_links(request, start, count, len(posts)),
                "total": len(posts),
            },
        }
    )


def paging_links(request: Request, start: int, count: int, total: int) -> list[dict[str, str]]:
    """Rest.li collection links: `next` while more elements follow, `prev` after the first page."""

    def link(rel: str, at: int) -> dict[str, str]:
        query = request.url.include_query_params(start=at, count=count).query
        return {"type": "application/json", "rel": rel, "href": f"{request.url.path}?{query}"}

    links = []
    if start > 0:
        links.append(link("prev", max(start - count, 0)))
    if start + count < total:
        links.append(link("next", start + count))
    return links


@router.get("/rest/posts/{post_urn}", name="get_post")
async def get_post(post_urn: str, request: Request) -> JSONResponse:
    state = get_state(request)
    require_versioned_headers(state, request)
    authenticate(state, request)
    obj = state.objects.get("linkedin", post_urn)
    if obj is None or obj.kind != "post":
        raise linkedin_error(404, f"Post {post_urn} does not exist", code="NOT_FOUND")
    return JSONResponse(post_element(obj))


@router.delete("/rest/posts/{post_urn}", name="delete_post")
async def delete_post(post_urn: str, request: Request) -> Response:
    state = get_state(request)
    require_versioned_headers(state, request)
    authenticate(state, request)
    obj = state.objects.get("linkedin", post_urn)
    if obj is None:
        raise linkedin_error(404, f"Post {post_urn} does not exist", code="NOT_FOUND")
    obj.deleted = True  # kept, so a later duplicate can point at this "ghost" like the real API
    return Response(status_code=204)


def int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        raise linkedin_error(400, f"Invalid integer parameter {value!r}") from None

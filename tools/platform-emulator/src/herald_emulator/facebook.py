"""Facebook Pages publishing: `POST /{page-id}/feed`, `POST /{page-id}/photos`, and `GET /{page-id}/feed`
for reconciliation. Every path also works with a `/vNN.N` prefix; comments live in graph_comments.py.
"""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from herald_emulator.errors import graph_error
from herald_emulator.graph import (
    GraphParams,
    count_usage,
    graph_call,
    graph_route,
    graph_time,
    parse_bool,
    parse_list,
    require_page_token,
    resolve_page_id,
    select_fields,
)
from herald_emulator.media_urls import probe_media_url
from herald_emulator.paging import graph_page, graph_paging
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState
from herald_emulator.store import CreatedObject
from herald_emulator.tokens import Identity

router = platform_router("facebook")

_SCHEDULE_MIN_S = 10 * 60
_SCHEDULE_MAX_S = 30 * 86_400


def post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


def publishing_page(state: EmulatorState, request: Request, identity: Identity, node: str) -> str:
    """The Page a publishing call names; it needs that Page's token and counts against its budget."""
    page_id = resolve_page_id(state, identity, node)
    require_page_token(state, identity, page_id)
    count_usage(state, request, identity, "pages", page_id)
    return page_id


@graph_route(router, "POST", "/{node:graph_id}/feed", name="page_feed")
async def create_feed_post(node: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    page_id = publishing_page(state, request, identity, node)
    message, link = params.text("message") or "", params.text("link")
    attached = attached_photo_ids(state, page_id, params.get("attached_media"))
    if not message and not link and not attached:
        raise graph_error(400, "(#100) Missing message or attachment", 100)
    if len(message) > state.config.facebook.message_max_chars:
        raise graph_error(400, "(#100) The message is too long", 100)  # [U] wording
    published = parse_bool(params.get("published"), True)
    scheduled_at = scheduled_time(state, params, published)
    check_duplicate(state, page_id, message)
    post_id = f"{page_id}_{state.ids.graph_id('1221')}"
    record_post(
        state,
        page_id,
        post_id,
        "post",
        message,
        attached,
        published,
        {"link": link, "scheduled_publish_time": scheduled_at},
    )
    return JSONResponse({"id": post_id})


def attached_photo_ids(state: EmulatorState, page_id: str, value: Any) -> list[str]:
    ids: list[str] = []
    for index, item in enumerate(parse_list(value)):
        photo_id = item.get("media_fbid") if isinstance(item, dict) else None
        if state.extra.facebook_unpublished_photos.get(str(photo_id)) != page_id:
            raise graph_error(
                400, f"(#100) param attached_media[{index}] must be an unpublished photo of this Page", 100
            )
        ids.append(str(photo_id))
    return ids


def scheduled_time(state: EmulatorState, params: GraphParams, published: bool) -> int | None:
    raw = params.text("scheduled_publish_time")
    if raw is None:
        return None
    if published:
        raise graph_error(400, "(#100) You cannot specify a scheduled publish time on a published post", 100)
    if not raw.isdigit():
        raise graph_error(
            400, "(#100) The specified scheduled publish time is invalid.", 100
        )  # ISO/strtotime not parsed
    delay = int(raw) - state.clock.now()
    if not _SCHEDULE_MIN_S <= delay <= _SCHEDULE_MAX_S:
        raise graph_error(400, "(#100) The specified scheduled publish time is invalid.", 100)
    return int(raw)


def check_duplicate(state: EmulatorState, page_id: str, message: str) -> None:
    if not message:
        return
    config = state.config.facebook
    since = state.clock.now() - config.duplicate_window_s
    if state.objects.find_duplicate("facebook", "post", page_id, message, since) is None:
        return
    if config.duplicate_code == 368:
        raise graph_error(
            400,
            "It looks like you were misusing this feature by going too fast. "
            "You've been temporarily blocked from using it.",
            368,
            user_title="You've already posted this",
            user_msg="Posting the same content repeatedly on Facebook isn't allowed.",
        )
    raise graph_error(400, "(#506) Duplicate status message", 506)


def record_post(
    state: EmulatorState,
    page_id: str,
    post_id: str,
    kind: str,
    text: str,
    media: list[str],
    published: bool,
    extra: dict[str, Any],
) -> None:
    for photo_id in media:
        state.extra.facebook_unpublished_photos.pop(photo_id, None)
    state.objects.add(
        CreatedObject(
            platform="facebook",
            kind=kind,
            id=post_id,
            account=page_id,
            text=text,
            raw_text=text,
            created_at=state.clock.now(),
            url=post_url(post_id),
            media_ids=media,
            extra={"published": published, **extra},
        )
    )


@graph_route(router, "POST", "/{node:graph_id}/photos", name="page_photos")
async def create_photo(node: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    page_id = publishing_page(state, request, identity, node)
    url = params.text("url")
    if "source" not in params.files and not url:
        raise graph_error(400, "(#324) Requires upload file", 324)
    if url and state.config.facebook.check_image_urls:
        probe = probe_media_url(url, request.app.state.media_assets)
        if not probe.fetchable or probe.format not in {"jpeg", "png", "gif", "webp"}:
            raise graph_error(400, "(#324) Missing or invalid image file", 324)
    caption = params.text("caption") or params.text("message") or ""
    photo_id = state.ids.graph_id("1222")
    if not parse_bool(params.get("published"), True):
        state.extra.facebook_unpublished_photos[photo_id] = page_id
        return JSONResponse({"id": photo_id})
    check_duplicate(state, page_id, caption)
    post_id = f"{page_id}_{photo_id}"
    record_post(
        state, page_id, post_id, "post", caption, [photo_id], True, {"photo_id": photo_id, "photo_url": url}
    )
    return JSONResponse({"id": photo_id, "post_id": post_id})


@graph_route(router, "GET", "/{node:graph_id}/feed", name="list_feed")
async def list_feed(node: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    page_id = resolve_page_id(state, identity, node)
    count_usage(state, request, identity, "pages", page_id)
    since, until = unix_param(params, "since"), unix_param(params, "until")
    posts = [
        obj for obj in reversed(state.objects.list("facebook", account=page_id, kind="post"))
        if obj.extra.get("published")
        and (since is None or obj.created_at >= since) and (until is None or obj.created_at <= until)
    ]  # fmt: skip
    page = graph_page(params.values, posts)
    fields = params.text("fields")
    data = [select_fields(post_view(obj), fields, ("id", "message", "created_time")) for obj in page.items]
    return JSONResponse({"data": data, "paging": graph_paging(request, page)})


def unix_param(params: GraphParams, name: str) -> float | None:
    """`since`/`until` as unix seconds (Graph's time-based paging)."""
    value = params.text(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise graph_error(400, f"(#100) The {name} parameter must be a unix timestamp", 100) from None


def post_view(obj: CreatedObject) -> dict[str, Any]:
    return {
        "id": obj.id,
        "message": obj.text or None,
        "created_time": graph_time(obj.created_at),
        "permalink_url": obj.url,
        "is_published": obj.extra.get("published", True),
        "from": {"id": obj.account},
    }

"""Instagram content publishing: containers, status, `media_publish`, and the publishing quota.

Containers report IN_PROGRESS for `instagram.container_processing_s`, then FINISHED;
PUBLISHED once published; EXPIRED after `container_ttl_s`. Only JPEG images are accepted
(`instagram.require_jpeg`); media URLs are judged as described in media_urls.py.
"""

import re
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from herald_emulator.errors import EmulatedError, graph_error
from herald_emulator.graph import (
    GraphParams,
    count_usage,
    graph_call,
    graph_route,
    graph_time,
    parse_bool,
    parse_list,
    select_fields,
)
from herald_emulator.media_urls import probe_media_url
from herald_emulator.paging import graph_page, graph_paging
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState
from herald_emulator.store import CreatedObject, IgContainer
from herald_emulator.tokens import Identity

router = platform_router("instagram")

_HASHTAG = re.compile(r"(?<!\w)#\w+")
_MENTION = re.compile(r"(?<!\w)@[\w.]+")
_MEDIA_TYPES = {"IMAGE", "VIDEO", "REELS", "STORIES", "CAROUSEL"}


def require_ig_access(state: EmulatorState, identity: Identity, ig_user_id: str) -> None:
    if identity.is_dev:
        return
    pages = state.config.facebook.pages
    linked = [page for page in pages if page.instagram_business_account == ig_user_id]
    allowed = bool(linked) and (
        identity.kind == "user" or any(page.id == identity.page_id for page in linked)
    )
    if not allowed:
        raise graph_error(403, "(#10) Application does not have permission for this action", 10)


@graph_route(router, "POST", "/{ig_user_id:graph_id}/media", name="ig_create_container")
async def create_container(ig_user_id: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    require_ig_access(state, identity, ig_user_id)
    count_usage(state, request, identity, "instagram", ig_user_id)
    check_container_budget(state, ig_user_id)
    container = build_container(state, request, ig_user_id, params)
    state.ig_containers[container.id] = container
    state.limits.rolling.add(f"ig:containers:{ig_user_id}", state.clock.now())
    return JSONResponse({"id": container.id})


def check_container_budget(state: EmulatorState, ig_user_id: str) -> None:
    used = state.limits.rolling.count(f"ig:containers:{ig_user_id}", 86_400, state.clock.now())
    if state.rate_limits_on and used >= state.config.instagram.containers_per_24h:
        raise graph_error(400, "(#4) Application request limit reached", 4, transient=True)  # [U] exact error


def build_container(
    state: EmulatorState, request: Request, ig_user_id: str, params: GraphParams
) -> IgContainer:
    is_item = parse_bool(params.get("is_carousel_item"), False)
    media_type = (
        params.text("media_type") or ("VIDEO" if params.text("video_url") and is_item else "IMAGE")
    ).upper()
    if media_type not in _MEDIA_TYPES:
        raise graph_error(400, f"(#100) The parameter media_type has an invalid value: {media_type}", 100)
    image_url, video_url = params.text("image_url"), params.text("video_url")
    children: list[str] = []
    if media_type == "CAROUSEL":
        children = carousel_children(state, ig_user_id, parse_list(params.get("children")))
    elif media_type == "IMAGE":
        if not image_url:
            raise graph_error(400, "(#100) The parameter image_url is required.", 100)
        check_image(state, request, image_url)
    elif media_type == "VIDEO" and not is_item:
        raise graph_error(
            400, "(#100) The VIDEO media type is only for carousel items; publish feed videos as REELS", 100
        )
    elif media_type in {"VIDEO", "REELS"} and not video_url:
        raise graph_error(400, "(#100) The parameter video_url is required.", 100)
    elif media_type == "STORIES" and not (image_url or video_url):
        raise graph_error(400, "(#100) The parameter image_url or video_url is required.", 100)
    caption = None if is_item else params.text("caption")
    if caption:
        check_caption(state, caption)
    alt_text = params.text("alt_text")
    if alt_text and len(alt_text) > state.config.instagram.alt_text_max_chars:
        raise graph_error(400, "(#100) alt_text is limited to 1000 characters", 100)
    return IgContainer(
        id=state.ids.graph_id("1789"), ig_user_id=ig_user_id, media_type=media_type,
        created_at=state.clock.now(),
        image_url=image_url, video_url=video_url, caption=caption, alt_text=alt_text,
        is_carousel_item=is_item, children=children,
    )  # fmt: skip


def check_image(state: EmulatorState, request: Request, url: str) -> None:
    probe = probe_media_url(url, request.app.state.media_assets)
    if not probe.fetchable:
        raise media_download_failed(
            url, "Media download has failed. The media URI doesn't meet our requirements."
        )
    if state.config.instagram.require_jpeg and probe.format != "jpeg":
        raise media_download_failed(url, "Only photo or video can be accepted as media type.")


def media_download_failed(url: str, message: str) -> EmulatedError:
    return graph_error(
        400, message, 9004, 2207052, transient=False,
        user_title="Media download has failed. The media URI doesn't meet our requirements.",
        user_msg=f"The media could not be fetched from this URI: {url}",
    )  # fmt: skip


def check_caption(state: EmulatorState, caption: str) -> None:
    config = state.config.instagram
    if len(caption) > config.caption_max_chars:
        raise graph_error(
            400, f"(#100) The caption is longer than {config.caption_max_chars} characters", 100
        )
    if len(_HASHTAG.findall(caption)) > config.max_hashtags:
        raise graph_error(400, f"(#100) The caption contains more than {config.max_hashtags} hashtags", 100)
    if len(_MENTION.findall(caption)) > config.max_mentions:
        raise graph_error(400, f"(#100) The caption contains more than {config.max_mentions} @ mentions", 100)


def carousel_children(state: EmulatorState, ig_user_id: str, children: list[Any]) -> list[str]:
    ids = [str(child) for child in children]
    if not 2 <= len(ids) <= 10:
        raise graph_error(400, "(#100) A carousel needs between 2 and 10 children", 100)
    for child_id in ids:
        child = state.ig_containers.get(child_id)
        if child is None or child.ig_user_id != ig_user_id or not child.is_carousel_item:
            raise graph_error(
                400, f"(#100) Invalid carousel child {child_id}: create it with is_carousel_item=true", 100
            )
        if container_status(state, child) in {"ERROR", "EXPIRED", "PUBLISHED"}:
            raise graph_error(400, f"(#100) Carousel child {child_id} cannot be used", 100)
    return ids


def container_status(state: EmulatorState, container: IgContainer) -> str:
    now = state.clock.now()
    if container.published_media_id:
        return "PUBLISHED"
    if now >= container.created_at + state.config.instagram.container_ttl_s:
        return "EXPIRED"
    if now < container.created_at + state.config.instagram.container_processing_s:
        return "IN_PROGRESS"
    children = [state.ig_containers[child] for child in container.children if child in state.ig_containers]
    if any(container_status(state, child) == "IN_PROGRESS" for child in children):
        return "IN_PROGRESS"
    return "FINISHED"


_STATUS_TEXT = {
    "IN_PROGRESS": "In Progress: Media is still being processed.",
    "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
    "PUBLISHED": "Published: Media has been successfully published.",
    "EXPIRED": "Expired: Media was not published within 24 hours.",
}


def container_view(state: EmulatorState, container: IgContainer, fields: str | None) -> dict[str, Any]:
    status = container_status(state, container)
    available = {"id": container.id, "status_code": status, "status": _STATUS_TEXT[status]}
    return select_fields(available, fields, ("id",))


@graph_route(router, "POST", "/{ig_user_id:graph_id}/media_publish", name="ig_media_publish")
async def publish(ig_user_id: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    require_ig_access(state, identity, ig_user_id)
    count_usage(state, request, identity, "instagram", ig_user_id)
    container = publishable_container(state, ig_user_id, params.text("creation_id") or "")
    quota_key = f"ig:published:{ig_user_id}"
    config = state.config.instagram
    if (
        state.rate_limits_on
        and state.limits.rolling.count(quota_key, config.quota_duration_s, state.clock.now())
        >= config.quota_total
    ):
        raise graph_error(
            400, "Application request limit reached", 9, 2207042, transient=False,
            user_title="Publishing limit reached",
            user_msg="You reached maximum number of posts that is allowed to be published "
            "by Content Publishing API.",
        )  # fmt: skip
    media_id = state.ids.graph_id("1790")
    container.published_media_id = media_id
    state.limits.rolling.add(quota_key, state.clock.now())
    shortcode = state.ids.instagram_shortcode(media_id)
    state.objects.add(
        CreatedObject(
            platform="instagram", kind="media", id=media_id, account=ig_user_id, text=container.caption,
            raw_text=container.caption, created_at=state.clock.now(), url=f"https://www.instagram.com/p/{shortcode}/",
            media_ids=[container.id, *container.children],
            extra={"media_type": container.media_type, "container_id": container.id, "shortcode": shortcode},
        )
    )  # fmt: skip
    return JSONResponse({"id": media_id})


def publishable_container(state: EmulatorState, ig_user_id: str, creation_id: str) -> IgContainer:
    container = state.ig_containers.get(creation_id)
    if container is None or container.ig_user_id != ig_user_id:
        raise graph_error(400, "The requested resource does not exist", 24, 2207008, transient=False)
    status = container_status(state, container)
    if status == "IN_PROGRESS":
        raise graph_error(
            400, "Media ID is not available", 9007, 2207027, transient=False,
            user_title="Cannot publish",
            user_msg="The media is not ready to be published. Please wait a moment.",
        )  # fmt: skip
    if status == "EXPIRED":
        raise graph_error(
            400, "The media container has expired. Create a new one.", 24, 2207020, transient=False
        )
    if status == "PUBLISHED":
        raise graph_error(400, "The requested resource does not exist", 24, 2207008, transient=False)  # [U]
    if container.is_carousel_item:
        raise graph_error(400, "(#100) Carousel items are published through their CAROUSEL container", 100)
    return container


@graph_route(router, "GET", "/{ig_user_id:graph_id}/content_publishing_limit", name="ig_publishing_limit")
async def publishing_limit(ig_user_id: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    require_ig_access(state, identity, ig_user_id)
    config = state.config.instagram
    usage = state.limits.rolling.count(
        f"ig:published:{ig_user_id}", config.quota_duration_s, state.clock.now()
    )
    fields = (params.text("fields") or "quota_usage").split(",")
    entry: dict[str, Any] = {}
    if "quota_usage" in fields:
        entry["quota_usage"] = usage
    if "config" in fields:
        entry["config"] = {"quota_total": config.quota_total, "quota_duration": config.quota_duration_s}
    return JSONResponse({"data": [entry]})


@graph_route(router, "GET", "/{ig_user_id:graph_id}/media", name="ig_list_media")
async def list_media(ig_user_id: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    require_ig_access(state, identity, ig_user_id)
    media = list(reversed(state.objects.list("instagram", account=ig_user_id, kind="media")))
    page = graph_page(params.values, media)
    fields = params.text("fields")
    data = [select_fields(media_view(obj), fields, ("id",)) for obj in page.items]
    return JSONResponse({"data": data, "paging": graph_paging(request, page)})


def media_view(obj: CreatedObject) -> dict[str, Any]:
    return {
        "id": obj.id,
        "caption": obj.text,
        "media_type": "CAROUSEL_ALBUM" if obj.extra["media_type"] == "CAROUSEL" else obj.extra["media_type"],
        "permalink": obj.url,
        "shortcode": obj.extra["shortcode"],
        "timestamp": graph_time(obj.created_at),
    }

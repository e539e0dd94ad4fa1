"""Comments on Facebook posts and Instagram media: `POST|GET /{object-id}/comments`.

One path serves both platforms, as on graph.facebook.com; the object id decides which one
(and so which platform's faults apply and where the comment shows up in inspection).
"""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from herald_emulator.errors import graph_error, graph_unsupported
from herald_emulator.graph import (
    count_usage,
    graph_call,
    graph_route,
    graph_time,
    node_platform,
    select_fields,
)
from herald_emulator.paging import graph_page, graph_paging
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState
from herald_emulator.store import CreatedObject
from herald_emulator.tokens import Identity

router = platform_router("facebook", node_platform)

_IG_COMMENT_MAX_CHARS = 2200


def commented_object(state: EmulatorState, node: str) -> CreatedObject:
    target = state.objects.get("facebook", node) or state.objects.get("instagram", node)
    if target is None or (target.kind == "comment" and target.platform == "instagram"):
        raise graph_unsupported("post", node)
    return target


def metered_target(state: EmulatorState, request: Request, identity: Identity, node: str) -> CreatedObject:
    """The post or media commented on; the call counts against its Page's (or IG account's) budget."""
    target = commented_object(state, node)
    usage_type = "pages" if target.platform == "facebook" else "instagram"
    count_usage(state, request, identity, usage_type, target.account)
    return target


@graph_route(router, "POST", "/{node:graph_id}/comments", name="create_comment")
async def create_comment(node: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    target = metered_target(state, request, identity, node)
    message = params.text("message") or ""
    if not message and not params.text("attachment_url"):
        raise graph_error(400, "(#100) Missing message or attachment", 100)
    if target.platform == "instagram":
        if len(message) > _IG_COMMENT_MAX_CHARS:
            raise graph_error(400, "(#100) The comment is too long", 100)
        comment_id = state.ids.graph_id("1791")
        url = f"{target.url}c/{comment_id}/"
    else:
        comment_part = state.ids.graph_id("1223")
        comment_id = f"{node.split('_')[-1]}_{comment_part}"
        url = f"https://www.facebook.com/{node}?comment_id={comment_part}"
    author = (identity.page_id or target.account) if identity.kind == "page" else identity.subject
    state.objects.add(
        CreatedObject(
            platform=target.platform, kind="comment", id=comment_id, account=author, text=message,
            raw_text=message, created_at=state.clock.now(), url=url, in_reply_to=node,
        )
    )  # fmt: skip
    return JSONResponse({"id": comment_id})


@graph_route(router, "GET", "/{node:graph_id}/comments", name="list_comments")
async def list_comments(node: str, request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    target = metered_target(state, request, identity, node)
    comments = [obj for obj in state.objects.list(target.platform, kind="comment") if obj.in_reply_to == node]
    page = graph_page(params.values, comments)  # oldest first ("chronological")
    fields = params.text("fields")
    default = (
        ("id", "message", "created_time") if target.platform == "facebook" else ("id", "text", "timestamp")
    )
    data = [select_fields(comment_view(obj), fields, default) for obj in page.items]
    return JSONResponse({"data": data, "paging": graph_paging(request, page)})


def comment_view(obj: CreatedObject) -> dict[str, Any]:
    return {
        "id": obj.id,
        "message": obj.text,
        "text": obj.text,
        "created_time": graph_time(obj.created_at),
        "timestamp": graph_time(obj.created_at),
        "from": {"id": obj.account},
    }

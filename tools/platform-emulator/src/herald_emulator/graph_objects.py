"""Graph node reads and deletes: `GET /{id}` for IG container status, IG media and Facebook posts.

Registered last: `/{id}` matches any numeric id, so every literal path must come first.
"""

from fastapi import Request
from fastapi.responses import JSONResponse

from herald_emulator.errors import graph_unsupported
from herald_emulator.facebook import post_view
from herald_emulator.graph import (
    graph_call,
    graph_route,
    node_platform,
    select_fields,
)
from herald_emulator.instagram import container_view, media_view
from herald_emulator.routing import platform_router

router = platform_router("facebook", node_platform)


@graph_route(router, "GET", "/{node:graph_id}", name="get_node")
async def get_node(node: str, request: Request) -> JSONResponse:
    state, params, _ = await graph_call(request)
    fields = params.text("fields")
    container = state.ig_containers.get(node)
    if container is not None:
        return JSONResponse(container_view(state, container, fields))
    media = state.objects.get("instagram", node)
    if media is not None:
        return JSONResponse(select_fields(media_view(media), fields, ("id",)))
    post = state.objects.get("facebook", node)
    if post is not None:
        return JSONResponse(select_fields(post_view(post), fields, ("id", "message", "created_time")))
    raise graph_unsupported("get", node)


@graph_route(router, "DELETE", "/{node:graph_id}", name="delete_node")
async def delete_node(node: str, request: Request) -> JSONResponse:
    state = (await graph_call(request)).state
    obj = state.objects.get("facebook", node) or state.objects.get("instagram", node)
    if obj is None:
        raise graph_unsupported("delete", node)
    obj.deleted = True
    return JSONResponse({"success": True})

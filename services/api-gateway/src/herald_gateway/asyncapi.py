"""GET /asyncapi.json: the event contract for internal producers and consumers, built from the models."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter

from herald_common.events.asyncapi import build_document


@cache
def _document(bootstrap_servers: str) -> dict[str, Any]:
    return build_document(bootstrap_servers)


def asyncapi_router(bootstrap_servers: str) -> APIRouter:
    router = APIRouter(tags=["events"])

    @router.get(
        "/asyncapi.json",
        summary="The AsyncAPI 3.0 document of Herald's Kafka topics and events",
        operation_id="getAsyncapiDocument",
        responses={
            200: {
                "content": {
                    "application/json": {
                        "example": {
                            "asyncapi": "3.0.0",
                            "info": {"title": "Herald events", "version": "1.0.0"},
                            "channels": {"postRequests": {"address": "herald.post.requests.v1"}},
                        }
                    }
                }
            }
        },
    )
    async def asyncapi() -> dict[str, Any]:
        return _document(bootstrap_servers)

    return router

"""HTTP pieces every service exposes: /health/live, /health/ready, /metrics, and HTTP RED metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ReadinessCheck = Callable[[], Awaitable[object]]
"""Raises (or returns False) when the dependency is not usable."""

HTTP_DURATION = Histogram(
    "herald_http_request_duration_seconds",
    "HTTP requests served, by route template, method and status",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


async def run_checks(checks: Mapping[str, ReadinessCheck], timeout: float) -> dict[str, str]:
    """Run every check concurrently, each within `timeout`; returns name -> 'ok' or why not."""

    async def one(check: ReadinessCheck) -> str:
        try:
            result = await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            return f"no answer within {timeout:g}s"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
        return "ok" if result is not False else "not ready"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    return dict(zip(names, results, strict=True))


class Liveness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
    status: str


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ok", "checks": {"kafka": "ok", "postgres": "ok", "redis": "ok"}},
                {
                    "status": "unavailable",
                    "checks": {"kafka": "ok", "postgres": "no answer within 1s", "redis": "ok"},
                    "down": ["postgres"],
                },
            ]
        }
    )
    status: str
    checks: dict[str, str]
    down: list[str] = []


def health_router(checks: Callable[[], Mapping[str, ReadinessCheck]], timeout: float) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live", response_model=Liveness, operation_id="live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/health/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency does not answer"}},
        operation_id="ready",
        summary="Every dependency answers (503 names those that do not)",
    )
    # The previous system's health check: the same answer, so its monitors keep their meaning.
    @router.get(
        "/health",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency does not answer"}},
        operation_id="health",
        summary="Alias of /health/ready (the previous system's health URL)",
    )
    async def ready() -> JSONResponse:
        results = await run_checks(checks(), timeout)
        down = {k: v for k, v in results.items() if v != "ok"}
        body: dict[str, Any] = {"status": "ok" if not down else "unavailable", "checks": results}
        if down:
            body["down"] = sorted(down)
        return JSONResponse(body, status_code=200 if not down else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router


class HttpMetricsMiddleware:
    """Records every request under its route template (never the raw path: ids are not labels)."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.routes = fastapi_app.router.routes

    def _route_of(self, scope: Scope) -> str:
        # The router leaves the matched route in the scope; matching again is only the fallback
        # (a 404, or a request that failed before routing).
        matched = scope.get("route")
        if matched is not None:
            return getattr(matched, "path", "unmatched")
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return getattr(route, "path", "unmatched")
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = self._route_of(scope)
            if route not in ("/metrics", "/health", "/health/live", "/health/ready"):
                HTTP_DURATION.labels(route, scope["method"], str(status)).observe(time.perf_counter() - start)


def add_observability(
    app: FastAPI, checks: Callable[[], Mapping[str, ReadinessCheck]], timeout: float
) -> None:
    app.include_router(health_router(checks, timeout))
    app.add_middleware(HttpMetricsMiddleware, fastapi_app=app)

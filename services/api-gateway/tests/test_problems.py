"""An unreachable dependency is a 503 the client may retry, never a 500 that reads like a bug."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from redis.exceptions import ConnectionError as RedisConnectionError

from herald_gateway.problems import install_problem_handlers


def _app(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/api/v2/publish")
    async def publish() -> None:
        raise error

    return app


async def _answer(error: Exception) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        return await client.post("/api/v2/publish")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        asyncpg.CannotConnectNowError("the database system is in recovery mode"),
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"),
    ],
    ids=["refused", "postgres-recovering", "redis"],
)
async def test_an_unreachable_dependency_is_a_503_with_retry_after(error: Exception) -> None:
    answer = await _answer(error)
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["type"].endswith("/unavailable")


async def test_a_wrapped_outage_is_recognised_by_its_cause() -> None:
    try:
        try:
            raise RedisConnectionError("down")
        except RedisConnectionError as cause:
            raise RuntimeError("storage failed") from cause
    except RuntimeError as wrapped:
        answer = await _answer(wrapped)
    assert answer.status_code == 503


@pytest.mark.parametrize("error", [ValueError("bug"), FileNotFoundError("/nope")], ids=["bug", "file"])
async def test_anything_else_stays_a_500(error: Exception) -> None:
    answer = await _answer(error)
    assert answer.status_code == 500
    assert answer.json()["type"].endswith("/internal-error")

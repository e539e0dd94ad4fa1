"""Network-level fault behaviour, against a real uvicorn on a loopback ephemeral port."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from herald_emulator.config import EmulatorConfig
from herald_emulator.main import create_app
from herald_emulator.settings import Settings


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    app = create_app(Settings(), EmulatorConfig())
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def test_short_client_timeout_sees_a_read_timeout(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        rule = {"platform": "twitter", "kind": "drop_after_create", "latency_ms": 1500}
        await client.post("/_emulator/faults", json=rule)
        with pytest.raises(httpx.ReadTimeout):
            await client.post(
                "/2/tweets", json={"text": "limbo"}, headers={"Authorization": "Bearer dev-x"}, timeout=0.3
            )
        posts = (await client.get("/_emulator/twitter/posts")).json()["posts"]
        assert [post["text"] for post in posts] == ["limbo"]


async def test_reset_mode_breaks_the_connection(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        rule = {"platform": "twitter", "kind": "drop_after_create", "latency_ms": 0, "mode": "reset"}
        await client.post("/_emulator/faults", json=rule)
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(
                "/2/tweets", json={"text": "cut off"}, headers={"Authorization": "Bearer dev-x"}
            )
        posts = (await client.get("/_emulator/twitter/posts")).json()["posts"]
        assert [post["text"] for post in posts] == ["cut off"]

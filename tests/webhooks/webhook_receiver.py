"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every request and answers as told
(a status, or a stall longer than the notifier's timeout)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[int | str] = field(default_factory=list)
    """Answers for the next requests: an HTTP status, or "stall" (no answer for 30 s); then 200."""
    default: int = 200

    async def handle(self, request: Request) -> Response:
        self.received.append(
            Received(
                {k.lower(): v for k, v in request.headers.items()}, await request.body(), time.monotonic()
            )
        )
        action = self.script.pop(0) if self.script else self.default
        if action == "stall":
            await asyncio.sleep(30)
            action = 200
        return Response(status_code=int(action))

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    receiver.url = f"http://127.0.0.1:{port}/hooks"
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield receiver
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()

"""A loop a component runs for the life of the process: started in the lifespan, cancelled and
awaited on the way out (so shutdown never leaves a task writing to closed connections)."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundLoop:
    name = "background"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        raise NotImplementedError

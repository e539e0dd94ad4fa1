"""A loop a component runs for the life of the process: started in the lifespan, cancelled and
awaited on the way out (so shutdown never leaves a task writing to closed connections).

Subclass it and write `_run`, or pass the coroutine function to run; a loop that dies of an
error is logged when it dies, not only at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from herald_common.logs import get_logger

log = get_logger(__name__)


class BackgroundLoop:
    name = "background"

    def __init__(self, run: Callable[[], Awaitable[None]] | None = None, *, name: str | None = None) -> None:
        self._body = run
        if name is not None:
            self.name = name
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)
        self._task.add_done_callback(self._died)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        if self._body is None:
            raise NotImplementedError("pass the loop's body, or override _run")
        await self._body()

    def _died(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background loop %s stopped", self.name, exc_info=task.exception())


class Periodic(BackgroundLoop):
    """Runs `work` every `every` seconds (retention sweeps). A pass that fails (the database
    restarting) is logged and the next one tries again; `work` returns how many rows it handled,
    logged as `done` when there were any. Every replica may run one: the work must be idempotent."""

    def __init__(self, work: Callable[[], Awaitable[int]], every: float, *, name: str, done: str) -> None:
        super().__init__(name=name)
        self._work, self.every, self._done = work, every, done

    async def _run(self) -> None:
        while True:
            try:
                if count := await self._work():
                    log.info(self._done, extra={"count": count})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; the next pass tries again", self.name)
            await asyncio.sleep(self.every)

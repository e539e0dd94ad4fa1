"""Keeps the status-change log short: changes older than the retention are deleted every few
minutes. A client resuming from an id older than that gets what is left, then live changes."""

from __future__ import annotations

import asyncio

import asyncpg

from herald_common.background import BackgroundLoop
from herald_common.logs import get_logger
from herald_gateway.events.repository import prune

log = get_logger(__name__)


class ChangeLogPruner(BackgroundLoop):
    name = "status-change-pruner"

    def __init__(self, pool: asyncpg.Pool, retention_hours: float, every_seconds: float = 300.0) -> None:
        super().__init__()
        self.pool, self.retention_hours, self.every = pool, retention_hours, every_seconds

    async def _run(self) -> None:
        while True:
            try:
                await prune(self.pool, self.retention_hours)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("pruning the status-change log failed; trying again later")
            await asyncio.sleep(self.every)

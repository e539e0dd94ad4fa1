"""Keeps the status-change log short: changes older than the retention are deleted every few
minutes. A client resuming from an id older than that gets what is left, then live changes."""

from __future__ import annotations

import asyncpg

from herald_common.background import Periodic
from herald_gateway.events.repository import prune


class ChangeLogPruner(Periodic):
    def __init__(self, pool: asyncpg.Pool, retention_hours: float, every_seconds: float = 300.0) -> None:
        super().__init__(
            lambda: prune(pool, retention_hours),
            every_seconds,
            name="status-change-pruner",
            done="pruned the status-change log",
        )

"""Keeps the delivery log and the followed post statuses bounded: what is finished and older than
the retention is deleted in small batches every few minutes (no long lock on a busy table)."""

from __future__ import annotations

import asyncpg

from herald_common.background import Periodic
from herald_notifier import repository as repo


async def prune(pool: asyncpg.Pool, retention_days: float, batch: int = 5000) -> int:
    total = 0
    while True:
        deleted = await repo.prune_batch(pool, retention_days * 86400, batch)
        total += deleted
        if deleted < batch:
            return total


class DeliveryLogPruner(Periodic):
    def __init__(self, pool: asyncpg.Pool, retention_days: float, every_seconds: float = 300.0) -> None:
        super().__init__(
            lambda: prune(pool, retention_days),
            every_seconds,
            name="webhook-delivery-pruner",
            done="pruned finished webhook deliveries and post statuses",
        )

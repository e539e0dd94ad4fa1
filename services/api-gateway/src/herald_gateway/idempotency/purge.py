"""The sweep of expired idempotency keys: its own edge, one short statement per batch."""

from __future__ import annotations

import asyncpg

from herald_common.background import Periodic
from herald_gateway.idempotency import repository


async def purge_expired(pool: asyncpg.Pool, ttl_hours: int, batch: int = 5000) -> int:
    """Delete expired keys in bounded batches (no long lock on a big table); returns how many."""
    total = 0
    while True:
        deleted = await repository.delete_expired_batch(pool, ttl_hours, batch)
        total += deleted
        if deleted < batch:
            return total


class ExpiredKeysPurge(Periodic):
    """Expired keys only replace themselves when the same key comes back; without this sweep the
    table would grow without bound. Every replica may run it: the DELETE is idempotent."""

    def __init__(self, pool: asyncpg.Pool, ttl_hours: int, interval_seconds: float) -> None:
        super().__init__(
            lambda: purge_expired(pool, ttl_hours),
            interval_seconds,
            name="idempotency-purge",
            done="purged expired idempotency keys",
        )

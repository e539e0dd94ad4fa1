"""The sweep of expired idempotency keys: its own edge, one short statement per batch."""

from __future__ import annotations

import asyncio

import asyncpg

from herald_common.logs import get_logger
from herald_gateway.background import BackgroundLoop
from herald_gateway.idempotency import repository

log = get_logger(__name__)


async def purge_expired(pool: asyncpg.Pool, ttl_hours: int, batch: int = 5000) -> int:
    """Delete expired keys in bounded batches (no long lock on a big table); returns how many."""
    total = 0
    while True:
        deleted = await repository.delete_expired_batch(pool, ttl_hours, batch)
        total += deleted
        if deleted < batch:
            return total


class ExpiredKeysPurge(BackgroundLoop):
    """Expired keys only replace themselves when the same key comes back; without this sweep the
    table would grow without bound. Every replica may run it: the DELETE is idempotent."""

    name = "idempotency-purge"

    def __init__(self, pool: asyncpg.Pool, ttl_hours: int, interval_seconds: float) -> None:
        super().__init__()
        self.pool, self.ttl_hours, self.interval = pool, ttl_hours, interval_seconds

    async def _run(self) -> None:
        while True:
            try:
                purged = await purge_expired(self.pool, self.ttl_hours)
                if purged:
                    log.info("purged expired idempotency keys", extra={"purged": purged})
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("idempotency purge failed; next pass retries: %s", exc)
            await asyncio.sleep(self.interval)

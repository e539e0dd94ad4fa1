"""A pool connection kept by one hot path between uses.

Acquiring per statement makes the pool reset the connection on every release (RESET ALL, UNLISTEN,
... one more round trip and its parsing): about 6% of the scheduler's CPU at 5,000 due rows/s. The
fire path and the finisher each run one statement at a time, so each keeps its own connection. A
failed statement hands it back (the pool resets or replaces it) and the next use acquires afresh.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


class HeldConnection:
    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._conn: Any = None

    @asynccontextmanager
    async def use(self) -> AsyncIterator[Any]:
        if self._conn is None:
            self._conn = await self._pool.acquire()
        try:
            yield self._conn
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._pool.release(conn)

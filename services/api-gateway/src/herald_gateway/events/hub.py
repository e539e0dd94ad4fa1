"""Wakes open event streams when their business's posts change.

One LISTEN connection per gateway process; each NOTIFY names a business, and only the streams of
that business wake up and read the log. If the connection drops, the streams still read the log
at every heartbeat, so nothing is lost, only later; the listener reconnects in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator

from herald_common.background import BackgroundLoop
from herald_common.db.listen import Listener
from herald_common.logs import get_logger
from herald_gateway.events.repository import CHANNEL

log = get_logger(__name__)


class ChangeHub(BackgroundLoop):
    name = "status-change-hub"

    def __init__(self, dsn: str, schema: str) -> None:
        super().__init__()
        self.dsn, self.schema = dsn, schema
        self._waiters: dict[int, set[asyncio.Event]] = defaultdict(set)
        self._listener = Listener(dsn, CHANNEL, self._notify, what="status-change listener", schema=schema)
        self.listening = self._listener.listening  # set while NOTIFYs are being received

    @contextlib.contextmanager
    def subscribe(self, business_ids: frozenset[int]) -> Iterator[asyncio.Event]:
        wake = asyncio.Event()
        for b in business_ids:
            self._waiters[b].add(wake)
        try:
            yield wake
        finally:
            for b in business_ids:
                self._waiters[b].discard(wake)
                if not self._waiters[b]:
                    del self._waiters[b]

    def _notify(self, payload: str) -> None:
        with contextlib.suppress(ValueError):
            for wake in self._waiters.get(int(payload), ()):
                wake.set()

    async def _run(self) -> None:
        await self._listener.run_forever()

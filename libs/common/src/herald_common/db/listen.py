"""A LISTEN held for the life of a process on a connection of its own, reconnected when lost.

NOTIFYs sent while no connection listens are gone for good: `on_listening` runs each time the
listen (re)starts, so a caller can catch up on what it may have missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from herald_common.db.pool import connect
from herald_common.logs import get_logger

log = get_logger(__name__)


class Listener:
    def __init__(
        self,
        dsn: str,
        channel: str,
        on_notify: Callable[[str], None],
        *,
        what: str,
        schema: str | None = None,
        on_listening: Callable[[], None] = lambda: None,
        reconnect_after: float = 1.0,
    ) -> None:
        self.dsn, self.schema, self.channel, self.what = dsn, schema, channel, what
        self.on_notify, self.on_listening = on_notify, on_listening
        self.reconnect_after = reconnect_after
        self.listening = asyncio.Event()  # set while NOTIFYs are being received

    async def run_forever(self) -> None:
        while True:
            try:
                await self._listen()
                log.warning("%s lost its connection; reconnecting", self.what)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; retrying", self.what)
            await asyncio.sleep(self.reconnect_after)

    async def _listen(self) -> None:
        conn = await connect(self.dsn, schema=self.schema)
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _c: lost.set())
            await conn.add_listener(self.channel, lambda _c, _pid, _channel, payload: self.on_notify(payload))
            self.listening.set()
            self.on_listening()
            await lost.wait()
        finally:
            self.listening.clear()
            if not conn.is_closed():
                await conn.close()

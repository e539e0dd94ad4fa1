"""The long-lived LISTEN, against the real PostgreSQL: it hears NOTIFYs, and comes back after its
connection is killed (and says so, so its owner can catch up on what it missed)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from herald_common.db.listen import Listener
from herald_common.db.pool import connect
from herald_common.testing import eventually

pytestmark = pytest.mark.infra
CHANNEL = "herald_listen_test"


async def test_the_listener_hears_notifies_and_reconnects_after_its_connection_is_killed(
    fresh_database: str,
) -> None:
    payloads: list[str] = []
    starts: list[int] = []
    listener = Listener(
        fresh_database,
        CHANNEL,
        payloads.append,
        what="test listener",
        on_listening=lambda: starts.append(1),
        reconnect_after=0.05,
    )
    task = asyncio.create_task(listener.run_forever())
    sender = await connect(fresh_database)
    try:
        await asyncio.wait_for(listener.listening.wait(), 10)
        await sender.execute("SELECT pg_notify($1, 'first')", CHANNEL)
        await eventually(lambda: payloads == ["first"])

        await sender.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN%' AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        await eventually(lambda: len(starts) == 2 and listener.listening.is_set())
        await sender.execute("SELECT pg_notify($1, 'second')", CHANNEL)
        await eventually(lambda: payloads == ["first", "second"])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sender.close()
    assert not listener.listening.is_set()

"""The shared loop helper and retry helper: real tasks on the running event loop, sync points only."""

from __future__ import annotations

import asyncio

import pytest

from herald_common.background import BackgroundLoop, Periodic
from herald_common.retrying import retry


async def test_stop_cancels_the_loop_and_waits_for_its_cleanup() -> None:
    started, cleaned_up = asyncio.Event(), asyncio.Event()

    async def body() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cleaned_up.set()

    loop = BackgroundLoop(body, name="test-loop")
    loop.start()
    assert loop.running
    await asyncio.wait_for(started.wait(), 5)
    await loop.stop()
    assert cleaned_up.is_set()  # stop returned only after the body's finally ran
    assert not loop.running


async def test_a_periodic_pass_that_fails_does_not_end_the_loop() -> None:
    passes: list[int] = []
    third = asyncio.Event()

    async def work() -> int:
        passes.append(len(passes))
        if len(passes) == 1:
            raise ConnectionResetError("the database restarted")
        if len(passes) == 3:
            third.set()
        return 2

    loop = Periodic(work, 0.01, name="test-sweep", done="swept")
    loop.start()
    await asyncio.wait_for(third.wait(), 5)
    await loop.stop()
    assert passes[:3] == [0, 1, 2]


async def test_retry_calls_until_success() -> None:
    calls = 0

    async def flaky() -> int:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise OSError("down")
        return calls

    assert await retry(flaky, what="flaky", first_wait=0.01, max_wait=0.01) == 3


async def test_retry_with_a_timeout_names_what_failed() -> None:
    async def down() -> None:
        raise OSError("connection refused")

    with pytest.raises(RuntimeError, match=r"postgres still failing after 0\.1s: connection refused"):
        await retry(down, what="postgres", on=OSError, timeout=0.1, first_wait=0.01, max_wait=0.01)


async def test_retry_does_not_swallow_other_errors() -> None:
    async def broken() -> None:
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug"):
        await retry(broken, what="x", on=OSError, timeout=5)

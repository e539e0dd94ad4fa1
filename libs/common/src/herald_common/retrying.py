"""Retrying a call while a dependency is down: exponential backoff, capped and jittered (stamina).

Used where giving up is worse than waiting: connecting at start (Kafka or PostgreSQL may come up
after us) and producing records whose rows stay leased until they are acknowledged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import stamina

from herald_common.logs import get_logger

log = get_logger(__name__)
T = TypeVar("T")
Retryable = type[Exception] | tuple[type[Exception], ...]


async def retry(
    call: Callable[[], Awaitable[T]],
    *,
    what: str,
    on: Retryable = Exception,
    timeout: float | None = None,
    first_wait: float = 0.2,
    max_wait: float = 5.0,
) -> T:
    """`call()` until it succeeds. With `timeout`, the last error after that many seconds is raised
    as a RuntimeError naming `what`; without, it retries until cancelled."""
    try:
        async for attempt in stamina.retry_context(
            on=on,
            attempts=None,
            timeout=timeout,
            wait_initial=first_wait,
            wait_max=max_wait,
            wait_jitter=first_wait,
        ):
            with attempt:
                try:
                    return await call()
                except on as exc:
                    log.warning("%s failed (attempt %d), retrying: %s", what, attempt.num, exc)
                    raise
    except on as exc:
        if timeout is None:
            raise
        raise RuntimeError(f"{what} still failing after {timeout:g}s: {exc}") from exc
    raise AssertionError("unreachable: stamina either returns or raises")

"""When to try again after a transient failure: exponential backoff with jitter, never sooner
than the platform asked."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def retry_delay(
    attempt: int, *, base: float, cap: float, retry_after: float | None, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the `attempt`-th failure (1-based).

    "Equal jitter": half the exponential step is fixed, half random, so replicas retrying the
    same platform spread out but nobody retries almost at once.
    """
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    step = min(cap, base * 2 ** (attempt - 1))
    delay = step / 2 + (rng or random).uniform(0, step / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def next_attempt_at(
    now: datetime, attempt: int, *, base: float, cap: float, retry_after: float | None
) -> datetime:
    return now + timedelta(seconds=retry_delay(attempt, base=base, cap=cap, retry_after=retry_after))

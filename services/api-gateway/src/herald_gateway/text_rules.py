"""Where the text rules run: one dedicated thread per server process, never the event loop.

Splitting and counting are bounded (docs/performance.md) but still CPU work, up to tens of
milliseconds for the longest posts. On the loop they would stall every other request, health
probes included. One thread, not the shared pool: with the GIL, several CPU-bound threads only
take turns anyway, and each extra one is another thread the loop must wait behind for the GIL.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="text-rules")
# How long a CPU-bound thread keeps the GIL while the loop waits for it (Python's default: 5 ms).
GIL_SWITCH_INTERVAL_SECONDS = 0.001


def prepare() -> None:
    """At start-up, not in the first request: compile the rules' patterns (the emoji table, URL
    and CJK classes), shorten the GIL switch interval, and freeze what lives for the whole
    process out of the garbage collector's full passes, which otherwise pause every thread
    for tens of milliseconds when a long text has allocated many small objects."""
    from herald_common.text import plan_post

    for platform in ("twitter", "linkedin", "facebook", "instagram"):
        plan_post(
            platform,
            "Warm up \U0001f468\u200d\U0001f469 https://example.com 世界。 #tag " * 40,
            numbering=True,
        )
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
    gc.collect()  # only what is alive is frozen
    gc.freeze()


async def off_the_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await asyncio.get_running_loop().run_in_executor(_WORKER, functools.partial(work, *args, **kwargs))

"""Where the text rules run: one dedicated thread per server process, never the event loop.

Splitting and counting are bounded (docs/performance.md) but still CPU work, up to tens of
milliseconds for the longest posts. On the loop they would stall every other request, health
probes included. One thread, not the shared pool: with the GIL, several CPU-bound threads only
take turns anyway, and each extra one is another thread the loop must wait behind for the GIL.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="text-rules")
# How long a CPU-bound thread keeps the GIL while the loop waits for it (Python's default: 5 ms).
GIL_SWITCH_INTERVAL_SECONDS = 0.001


async def off_the_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await asyncio.get_running_loop().run_in_executor(_WORKER, functools.partial(work, *args, **kwargs))

"""The in-memory timer heap of one replica: the rows it has leased, ordered by due time.

A row is held at most once (by key); pushing a key already held replaces it, which is what a
re-armed retry or a re-claimed lease needs. Replaced entries stay in the heap and are skipped
when they surface (lazy deletion), so push and pop stay O(log n).
"""

from __future__ import annotations

import heapq
import itertools

from herald_scheduler.model import Key, Schedule


class TimerHeap:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Key]] = []
        self._held: dict[Key, tuple[int, Schedule]] = {}
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, key: Key) -> bool:
        return key in self._held

    def push(self, schedule: Schedule) -> None:
        seq = next(self._seq)
        self._held[schedule.key] = (seq, schedule)
        heapq.heappush(self._heap, (schedule.due_ts, seq, schedule.key))

    def discard(self, key: Key) -> Schedule | None:
        entry = self._held.pop(key, None)
        return entry[1] if entry else None

    def next_due(self) -> float | None:
        """Epoch seconds of the earliest held row, or None when empty."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float, limit: int) -> list[Schedule]:
        """Every held row due at or before `now` (at most `limit`), earliest first."""
        out: list[Schedule] = []
        while self._heap and len(out) < limit:
            due, seq, key = self._heap[0]
            entry = self._held.get(key)
            if entry is None or entry[0] != seq:
                heapq.heappop(self._heap)
                continue
            if due > now:
                break
            heapq.heappop(self._heap)
            del self._held[key]
            out.append(entry[1])
        return out

    def drain(self) -> list[Schedule]:
        """Everything still held (on shutdown, to hand the leases back)."""
        held = [s for _, s in self._held.values()]
        self._held.clear()
        self._heap.clear()
        return held

    def _drop_stale(self) -> None:
        while self._heap:
            _, seq, key = self._heap[0]
            entry = self._held.get(key)
            if entry is not None and entry[0] == seq:
                return
            heapq.heappop(self._heap)

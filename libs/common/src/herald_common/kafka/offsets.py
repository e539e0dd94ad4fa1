"""Which offsets may be committed when records of a partition finish out of order.

Records are handled concurrently, so record 7 may be done before record 5. Committing 8 then
would tell Kafka that 5 is done too, and a crash would lose it. Per partition the tracker
keeps the fetched offsets in order and answers the commit point: the offset of the first
record not yet done (or one past the last record, when every record is done). Everything
below that point is done; nothing above it is assumed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)


@dataclass
class _Partition:
    pending: deque[int] = field(default_factory=deque)  # fetched, in fetch (= offset) order
    done: set[int] = field(default_factory=set)  # finished, not yet below the commit point
    commit_point: int | None = None  # every offset below it is done
    committed: int | None = None  # the last commit point handed out by `take_committable`


class OffsetTracker(Generic[P]):
    """Per partition: offsets fetched, offsets done, and the highest point below which all are done.

    A partition is tracked from its first fetched record until `revoke` (the consumer lost it;
    whoever owns it next starts from the committed offset).
    """

    def __init__(self) -> None:
        self._partitions: dict[P, _Partition] = {}

    def revoke(self, partitions: Iterable[P]) -> None:
        for p in partitions:
            self._partitions.pop(p, None)

    def add(self, partition: P, offset: int) -> None:
        """Record a fetched offset."""
        state = self._partitions.setdefault(partition, _Partition())
        floor = state.pending[-1] + 1 if state.pending else state.commit_point
        if floor is not None and offset < floor:
            # Nothing here seeks back, so a fetch never repeats an offset of the same assignment.
            raise ValueError(f"offset {offset} of {partition} is below {floor}: fetches only go forward")
        state.pending.append(offset)

    def done(self, partition: P, offset: int) -> None:
        state = self._partitions.get(partition)
        if state is None:
            return  # revoked meanwhile: its next owner handles it again
        state.done.add(offset)
        while state.pending and state.pending[0] in state.done:
            first = state.pending.popleft()
            state.done.discard(first)
            state.commit_point = first + 1

    def commit_point(self, partition: P) -> int | None:
        state = self._partitions.get(partition)
        return None if state is None else state.commit_point

    def in_flight(self, partition: P) -> int:
        """Records fetched and not yet below the commit point."""
        state = self._partitions.get(partition)
        return 0 if state is None else len(state.pending)

    def take_committable(self, partitions: Iterable[P] | None = None) -> dict[P, int]:
        """Commit points that moved since the last call (for these partitions, or all)."""
        wanted = self._partitions.keys() if partitions is None else partitions
        out: dict[P, int] = {}
        for p in wanted:
            state = self._partitions.get(p)
            if state is None or state.commit_point is None or state.commit_point == state.committed:
                continue
            out[p] = state.commit_point
            state.committed = state.commit_point
        return out

    def forget_taken(self, offsets: dict[P, int]) -> None:
        """A commit of these points failed: hand them out again next time."""
        for p, offset in offsets.items():
            state = self._partitions.get(p)
            if state is not None and state.committed == offset:
                state.committed = None

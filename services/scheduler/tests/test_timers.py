"""The timer heap: due order, replacement by key, lazy deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from herald_scheduler.model import Schedule
from herald_scheduler.timers import TimerHeap

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def row(post_id: str, at: float, platform: str = "twitter", attempt: int = 1) -> Schedule:
    due = T0 + timedelta(seconds=at)
    return Schedule(post_id, platform, 1, attempt, due, due, None, False, "{}")


def test_pops_only_what_is_due_in_due_order() -> None:
    heap = TimerHeap()
    for post_id, at in (("c", 3), ("a", 1), ("b", 2), ("d", 10)):
        heap.push(row(post_id, at))
    assert heap.next_due() == row("a", 1).due_ts
    assert [r.post_id for r in heap.pop_due(row("x", 3).due_ts, limit=100)] == ["a", "b", "c"]
    assert len(heap) == 1
    assert heap.pop_due(row("x", 9.999).due_ts, limit=100) == []


def test_limit_leaves_the_rest_for_the_next_batch() -> None:
    heap = TimerHeap()
    for i in range(5):
        heap.push(row(f"p{i}", i))
    assert [r.post_id for r in heap.pop_due(row("x", 100).due_ts, limit=2)] == ["p0", "p1"]
    assert [r.post_id for r in heap.pop_due(row("x", 100).due_ts, limit=10)] == ["p2", "p3", "p4"]


def test_pushing_a_held_key_replaces_it() -> None:
    heap = TimerHeap()
    heap.push(row("a", 1, attempt=1))
    heap.push(row("a", 5, attempt=2))  # re-armed for a retry
    assert len(heap) == 1
    assert heap.pop_due(row("x", 2).due_ts, limit=10) == []
    assert heap.next_due() == row("a", 5).due_ts
    (popped,) = heap.pop_due(row("x", 5).due_ts, limit=10)
    assert popped.attempt == 2


def test_discard_and_drain() -> None:
    heap = TimerHeap()
    heap.push(row("a", 1))
    heap.push(row("b", 2))
    assert heap.discard(("a", "twitter")) is not None
    assert ("a", "twitter") not in heap
    assert heap.next_due() == row("b", 2).due_ts
    assert [r.post_id for r in heap.drain()] == ["b"]
    assert heap.next_due() is None


@given(st.lists(st.tuples(st.integers(0, 30), st.floats(0, 100)), max_size=60), st.floats(0, 100))
def test_pop_due_returns_exactly_the_latest_push_per_key_that_is_due(
    pushes: list[tuple[int, float]], now: float
) -> None:
    heap = TimerHeap()
    latest: dict[str, float] = {}
    for key, at in pushes:
        heap.push(row(f"p{key}", at))
        latest[f"p{key}"] = at
    popped = heap.pop_due(row("x", now).due_ts, limit=10_000)
    assert sorted(r.post_id for r in popped) == sorted(
        k for k, at in latest.items() if row(k, at).due_ts <= row("x", now).due_ts
    )
    assert [r.due_ts for r in popped] == sorted(r.due_ts for r in popped)
    assert len(heap) == len(latest) - len(popped)

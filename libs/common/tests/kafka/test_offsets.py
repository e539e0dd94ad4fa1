"""The commit point: never above a record that is not done, and as high as the done ones allow."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald_common.kafka.offsets import OffsetTracker

# Fetched offsets go up but may skip (compaction, transaction markers); any subset finishes, in any order.
fetches = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=60).map(
    lambda steps: [sum(steps[: i + 1]) for i in range(len(steps))]
)


@st.composite
def fetched_then_finished(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    offsets = draw(fetches)
    finished = draw(st.lists(st.sampled_from(offsets), unique=True))
    return offsets, finished


@given(fetched_then_finished())
def test_the_commit_point_never_passes_a_record_that_is_not_done(case: tuple[list[int], list[int]]) -> None:
    offsets, finished = case
    tracker: OffsetTracker[str] = OffsetTracker()
    for offset in offsets:
        tracker.add("p", offset)
    done: set[int] = set()
    previous = None
    for offset in finished:
        tracker.done("p", offset)
        done.add(offset)
        point = tracker.commit_point("p")
        not_done = [o for o in offsets if o not in done]
        if not_done and not_done[0] == offsets[0]:
            assert point is None  # the first record is still running: nothing to commit
        else:
            # Everything below the point is done, and the point is as high as the done records allow.
            expected = not_done[0] if not_done else offsets[-1] + 1
            highest_done_below = max(o for o in offsets if o < expected)
            assert point == highest_done_below + 1
            assert all(o in done for o in offsets if o < point)
        assert previous is None or (point is not None and point >= previous)  # only moves forward
        previous = point
    final = tracker.commit_point("p")
    assert tracker.in_flight("p") == len([o for o in offsets if final is None or o >= final])


@given(fetches)
def test_when_all_are_done_the_point_is_past_the_last(offsets: list[int]) -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    for offset in offsets:
        tracker.add("p", offset)
    for offset in reversed(offsets):
        tracker.done("p", offset)
    assert tracker.commit_point("p") == offsets[-1] + 1
    assert tracker.in_flight("p") == 0


def test_partitions_are_independent() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    for offset in (0, 1, 2):
        tracker.add("a", offset)
        tracker.add("b", offset)
    tracker.done("b", 0)
    tracker.done("a", 1)
    assert tracker.commit_point("a") is None
    assert tracker.commit_point("b") == 1


def test_take_committable_hands_out_each_move_once_and_again_after_a_failed_commit() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    for offset in (10, 11):
        tracker.add("a", offset)
        tracker.add("b", offset)
    tracker.done("a", 10)
    assert tracker.take_committable() == {"a": 11}
    assert tracker.take_committable() == {}
    tracker.done("b", 10)
    tracker.done("b", 11)
    taken = tracker.take_committable(["b"])
    assert taken == {"b": 12}
    tracker.forget_taken(taken)  # the commit failed
    assert tracker.take_committable() == {"b": 12}


def test_a_revoked_partition_forgets_its_state() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    tracker.add("a", 5)
    tracker.revoke(["a"])
    tracker.done("a", 5)  # work that finishes after the revoke is not tracked
    assert tracker.commit_point("a") is None
    tracker.add("a", 3)  # assigned again: fetching starts from what the group committed
    tracker.done("a", 3)
    assert tracker.commit_point("a") == 4


def test_offsets_only_go_forward() -> None:
    tracker: OffsetTracker[str] = OffsetTracker()
    tracker.add("a", 3)
    with pytest.raises(ValueError, match="only go forward"):
        tracker.add("a", 3)
    tracker.done("a", 3)
    with pytest.raises(ValueError, match="only go forward"):
        tracker.add("a", 2)
    tracker.add("a", 4)
    assert tracker.in_flight("a") == 1

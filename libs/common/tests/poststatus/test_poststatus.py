"""Which status update may apply over which, and the post's overall status (pure logic)."""

from __future__ import annotations

import pytest

from herald_common.poststatus import PostStatus, Snapshot, TargetStatus, may_move, overall_status

S = TargetStatus


@pytest.mark.parametrize(
    ("current", "new", "applies"),
    [
        (Snapshot(S.PUBLISHING, 2), Snapshot(S.PUBLISHED, 2, 1), True),
        (Snapshot(S.PUBLISHED, 2, 1), Snapshot(S.PUBLISHED, 2, 1), False),  # the same result again
        (Snapshot(S.PUBLISHED, 2, 3), Snapshot(S.FAILED, 3), False),  # a later failure hides nothing live
        (Snapshot(S.FAILED, 3), Snapshot(S.PUBLISHED, 2, 1), True),  # a published result wins
        (Snapshot(S.FAILED, 3), Snapshot(S.PARTIALLY_PUBLISHED, 3, 1), True),
        (Snapshot(S.MISSED, 1), Snapshot(S.PUBLISHED, 1, 1), True),
        (Snapshot(S.PARTIALLY_PUBLISHED, 3, 2), Snapshot(S.PUBLISHED, 4, 3), True),
        (Snapshot(S.PARTIALLY_PUBLISHED, 3, 2), Snapshot(S.PARTIALLY_PUBLISHED, 3, 2), False),
        (Snapshot(S.PARTIALLY_PUBLISHED, 3, 2), Snapshot(S.PARTIALLY_PUBLISHED, 2, 1), False),
        (Snapshot(S.PARTIALLY_PUBLISHED, 2, 1), Snapshot(S.PARTIALLY_PUBLISHED, 3, 2), True),
        (Snapshot(S.PARTIALLY_PUBLISHED, 3, 2), Snapshot(S.FAILED, 4), False),
        (Snapshot(S.PUBLISHED, 2, 3), Snapshot(S.PARTIALLY_PUBLISHED, 2, 1), False),
        (Snapshot(S.CANCELLED), Snapshot(S.PUBLISHING, 1), False),
        (Snapshot(S.FAILED, 3), Snapshot(S.CANCELLED, 3), False),
        (Snapshot(S.PUBLISHING, 2), Snapshot(S.PUBLISHING, 1), False),  # a stale retry notice
        (Snapshot(S.PUBLISHING, 1), Snapshot(S.PUBLISHING, 2), True),
        (Snapshot(S.PUBLISHING, 2), Snapshot(S.SCHEDULED, 2), False),
        (Snapshot(S.SCHEDULED), Snapshot(S.PUBLISHING, 1), True),
    ],
)
def test_may_move(current: Snapshot, new: Snapshot, applies: bool) -> None:
    assert may_move(current, new) is applies


@pytest.mark.parametrize(
    ("targets", "overall"),
    [
        ([S.PUBLISHED, S.PUBLISHED], PostStatus.PUBLISHED),
        ([S.PARTIALLY_PUBLISHED], PostStatus.PARTIALLY_PUBLISHED),
        ([S.PARTIALLY_PUBLISHED, S.PUBLISHED], PostStatus.PARTIALLY_PUBLISHED),
        ([S.PARTIALLY_PUBLISHED, S.FAILED], PostStatus.PARTIALLY_PUBLISHED),
        ([S.PUBLISHED, S.FAILED], PostStatus.PARTIALLY_PUBLISHED),
        ([S.PARTIALLY_PUBLISHED, S.PUBLISHING], PostStatus.PUBLISHING),
        ([S.FAILED, S.FAILED], PostStatus.FAILED),
        ([S.CANCELLED, S.MISSED], PostStatus.MISSED),
        ([S.FAILED, S.CANCELLED], PostStatus.FAILED),
        ([S.SCHEDULED, S.SCHEDULED], PostStatus.SCHEDULED),
    ],
)
def test_overall_status(targets: list[TargetStatus], overall: PostStatus) -> None:
    assert overall_status(targets) is overall

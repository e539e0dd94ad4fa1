"""How a post's overall status follows from its platforms' statuses, and which updates may apply.

Lifecycle events come from several producers and may arrive in any order across them, so a
platform's status only moves forward: scheduled -> publishing -> a final state, never back.
"""

from __future__ import annotations

from collections.abc import Iterable

from herald_gateway.posts.schemas import PostStatus, TargetStatus

FINAL = frozenset({TargetStatus.PUBLISHED, TargetStatus.FAILED, TargetStatus.CANCELLED, TargetStatus.MISSED})
_RANK = {TargetStatus.SCHEDULED: 0, TargetStatus.PUBLISHING: 1}


def may_move(current: TargetStatus, new: TargetStatus) -> bool:
    if current in FINAL:
        return False
    return new in FINAL or _RANK[new] >= _RANK[current]


def overall_status(targets: Iterable[TargetStatus]) -> PostStatus:
    states = list(targets)
    if not states:
        raise ValueError("a post has at least one platform")
    if not all(s in FINAL for s in states):
        if any(s is not TargetStatus.SCHEDULED for s in states):
            return PostStatus.PUBLISHING
        return PostStatus.SCHEDULED
    distinct = set(states)
    if len(distinct) == 1:
        return {
            TargetStatus.PUBLISHED: PostStatus.PUBLISHED,
            TargetStatus.FAILED: PostStatus.FAILED,
            TargetStatus.CANCELLED: PostStatus.CANCELLED,
            TargetStatus.MISSED: PostStatus.MISSED,
        }[states[0]]
    if TargetStatus.PUBLISHED in distinct:
        return PostStatus.PARTIALLY_PUBLISHED
    if distinct == {TargetStatus.CANCELLED, TargetStatus.MISSED}:
        return PostStatus.MISSED
    return PostStatus.FAILED

"""How a post's overall status follows from its platforms' statuses, and which updates may apply.
Shared by the gateway's status store and the notifier's `post.status_changed` webhooks, so both
tell the same story.

Lifecycle events come from several producers and may be redelivered or arrive late, so each
update is judged against what the store already holds:
- a platform moves forward only: scheduled -> publishing -> a final state;
- a `publishing` update from an older attempt than the one recorded is stale and dropped, and
  so is a failure or miss of an older attempt (one a retry has superseded);
- a final state gives way only to one that shows more of the post live: `failed`, `missed` or
  `cancelled` -> `partially_published` -> `published` (and a partial result with more live parts
  replaces one with fewer). What a platform holds is a fact; no later report may hide it.
Applying the same event twice therefore changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class PostStatus(StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"
    FAILED = "failed"
    CANCELLED = "cancelled"
    MISSED = "missed"


class TargetStatus(StrEnum):
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"
    """Some parts are live (listed in `parts`) and the rest will not follow; `reason` says why."""
    FAILED = "failed"
    CANCELLED = "cancelled"
    MISSED = "missed"


FINAL = frozenset(
    {
        TargetStatus.PUBLISHED,
        TargetStatus.PARTIALLY_PUBLISHED,
        TargetStatus.FAILED,
        TargetStatus.CANCELLED,
        TargetStatus.MISSED,
    }
)
LIVE = frozenset({TargetStatus.PUBLISHED, TargetStatus.PARTIALLY_PUBLISHED})
_RANK = {TargetStatus.SCHEDULED: 0, TargetStatus.PUBLISHING: 1}


@dataclass(frozen=True)
class Snapshot:
    """What is known of one platform of a post: its status, the attempt it speaks of, and how
    many parts are live."""

    status: TargetStatus
    attempt: int = 0
    live_parts: int = 0


def may_move(current: Snapshot, new: Snapshot) -> bool:
    if current.status in FINAL:
        if new.status is TargetStatus.PUBLISHED:
            return current.status is not TargetStatus.PUBLISHED
        if new.status is TargetStatus.PARTIALLY_PUBLISHED:
            if current.status is TargetStatus.PARTIALLY_PUBLISHED:
                return new.live_parts > current.live_parts
            return current.status is not TargetStatus.PUBLISHED
        return False
    if new.status in FINAL:
        # A failure of an older attempt (redelivered after a retry re-opened the platform) is stale.
        return new.status in LIVE or new.attempt >= current.attempt
    return _RANK[new.status] >= _RANK[current.status] and new.attempt >= current.attempt


def overall_status(targets: Iterable[TargetStatus]) -> PostStatus:
    states = list(targets)
    if not states:
        raise ValueError("a post has at least one platform")
    if not all(s in FINAL for s in states):
        if any(s is not TargetStatus.SCHEDULED for s in states):
            return PostStatus.PUBLISHING
        return PostStatus.SCHEDULED
    distinct = set(states)
    if distinct == {TargetStatus.PUBLISHED}:
        return PostStatus.PUBLISHED
    if distinct & LIVE:
        return PostStatus.PARTIALLY_PUBLISHED
    if len(distinct) == 1:
        return {
            TargetStatus.FAILED: PostStatus.FAILED,
            TargetStatus.CANCELLED: PostStatus.CANCELLED,
            TargetStatus.MISSED: PostStatus.MISSED,
        }[states[0]]
    if distinct == {TargetStatus.CANCELLED, TargetStatus.MISSED}:
        return PostStatus.MISSED
    return PostStatus.FAILED

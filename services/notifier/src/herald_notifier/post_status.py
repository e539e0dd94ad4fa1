"""Each post's overall status, followed with the status store's rules (herald_common.poststatus):
a lifecycle event that changes it yields one `post.status_changed` message. Applying an event
twice changes nothing the second time, so a redelivered event yields no second message."""

from __future__ import annotations

from typing import Any

import asyncpg

from herald_common.events import (
    Envelope,
    PostCancelled,
    PostDispatched,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostRetryScheduled,
    PostScheduled,
)
from herald_common.poststatus import Snapshot, TargetStatus, may_move, overall_status
from herald_common.webhooks.catalog import Message, status_changed
from herald_notifier import repository as repo

ALL = "*"


def proposed(event: Any) -> dict[str, Snapshot]:
    """platform ('*' = every platform of the post) -> the snapshot the event reports."""
    match event:
        case PostDispatched() | PostRetryScheduled():
            return {event.platform.value: Snapshot(TargetStatus.PUBLISHING, event.attempt)}
        case PostPublished():
            return {event.platform.value: Snapshot(TargetStatus.PUBLISHED, event.attempt, len(event.parts))}
        case PostPartiallyPublished():
            snapshot = Snapshot(TargetStatus.PARTIALLY_PUBLISHED, event.attempt, len(event.parts))
            return {event.platform.value: snapshot}
        case PostPublishFailed():
            return {event.platform.value: Snapshot(TargetStatus.FAILED, event.attempt)}
        case PostMissed():
            return {event.platform.value: Snapshot(TargetStatus.MISSED)}
        case PostCancelled():
            return {p.value: Snapshot(TargetStatus.CANCELLED) for p in event.platforms} or {
                ALL: Snapshot(TargetStatus.CANCELLED)
            }
    return {}


async def follow(conn: asyncpg.Connection, envelope: Envelope[Any]) -> Message | None:
    event = envelope.data
    if isinstance(event, PostScheduled):
        platforms = [p.value for p in event.platforms]
        if not await repo.start_post(conn, event.post_id, event.business_id, platforms):
            return None  # known already (a redelivery)
        return status_changed(envelope, "scheduled", None, dict.fromkeys(platforms, "scheduled"))
    updates = proposed(event)
    if not updates:
        return None
    previous, targets = await repo.lock_post(conn, event.post_id)
    if previous is None:
        return None  # a post from before this notifier started following
    for platform, current in targets.items():
        new = updates.get(platform) or updates.get(ALL)
        if new is None or not may_move(current, new):
            continue
        attempt = new.attempt if new.status is not TargetStatus.MISSED else current.attempt
        targets[platform] = Snapshot(new.status, max(attempt, current.attempt), new.live_parts)
        await repo.save_target(conn, event.post_id, platform, targets[platform])
    overall = overall_status(t.status for t in targets.values()).value
    if overall == previous:
        return None
    await repo.save_post_status(conn, event.post_id, overall)
    return status_changed(envelope, overall, previous, {p: t.status.value for p, t in targets.items()})

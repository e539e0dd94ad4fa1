"""Applies lifecycle events to the status store: each platform moves forward, the post follows."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from redis.asyncio import Redis

from herald_common.events import (
    Event,
    LifecycleEvent,
    PostCancelled,
    PostCancelRefused,
    PostDispatched,
    PostEdited,
    PostEditRefused,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostRequested,
    PostRetryScheduled,
    PostScheduled,
)
from herald_common.logs import get_logger
from herald_gateway import cancel_waiter
from herald_gateway.events import repository as changes
from herald_gateway.posts import repository as repo
from herald_gateway.posts.schemas import TargetStatus
from herald_gateway.posts.status import Snapshot, may_move, overall_status

log = get_logger(__name__)


class StatusService:
    def __init__(self, pool: asyncpg.Pool, redis: Redis) -> None:
        self.pool, self.redis = pool, redis

    async def record_request(self, event: PostRequested) -> None:
        """Posts produced straight to Kafka by internal services appear in the status store too."""
        initial = TargetStatus.SCHEDULED if event.scheduled_for else TargetStatus.PUBLISHING
        async with self.pool.acquire() as conn, conn.transaction():
            await repo.insert_post(
                conn,
                post_id=event.post_id,
                business_id=event.business_id,
                status=overall_status([initial]),
                content=event.targets[0].content,
                scheduled_for=event.scheduled_for,
                timezone=None,
                late_policy=event.late_policy.value,
                origin="kafka",
                targets=[
                    repo.NewTarget(t.platform.value, initial, t.content, list(t.media_urls))
                    for t in event.targets
                ],
            )

    async def apply(self, event: LifecycleEvent) -> None:
        if isinstance(event, PostEdited | PostEditRefused):
            await self._edit_answer(event)
            return
        updates = _changes(event)
        if updates:
            async with self.pool.acquire() as conn, conn.transaction():
                targets = {t["platform"]: t for t in await repo.lock_targets(conn, event.post_id)}
                if not targets:
                    log.warning("lifecycle event for an unknown post", extra={"type": event.ce_type})
                    return
                moved: list[tuple[str, str]] = []
                for platform, (status, fields) in updates.items():
                    for name in targets if platform == "*" else [platform]:
                        row = targets.get(name)
                        if row is None or not may_move(_snapshot(row), _proposed(row, status, fields)):
                            continue
                        update = dict(fields)
                        if "attempts" in update:  # a late result never lowers the count
                            update["attempts"] = max(update["attempts"], row["attempts"])
                        await repo.update_target(conn, event.post_id, name, status=status.value, **update)
                        moved.append((name, status.value))
                statuses = [TargetStatus(t["status"]) for t in await repo.get_targets(conn, [event.post_id])]
                overall = overall_status(statuses)
                await repo.set_post_status(conn, event.post_id, overall)
                if moved:  # the live stream's log, in this same transaction
                    await changes.record_change(
                        conn,
                        business_id=await changes.post_business(conn, event.post_id),
                        post_id=event.post_id,
                        post_status=overall.value,
                        changed=moved,
                        event_type=event.ce_type,
                    )
        if isinstance(event, PostCancelled | PostCancelRefused) and event.request_id:
            await cancel_waiter.announce(
                self.redis,
                event.request_id,
                "cancelled" if isinstance(event, PostCancelled) else event.reason.value,
            )

    async def _edit_answer(self, event: PostEdited | PostEditRefused) -> None:
        """Apply (or drop) the edit the gateway kept for this request, then tell the waiting replica."""
        async with self.pool.acquire() as conn, conn.transaction():
            edit = await repo.take_edit(conn, event.request_id)
            if edit is not None and isinstance(event, PostEdited):
                await repo.lock_targets(conn, event.post_id)
                await repo.apply_edit(conn, edit, event.scheduled_for)
                post = await repo.get_post_by_id(conn, event.post_id)
                if post is not None:
                    await changes.record_change(
                        conn,
                        business_id=post["business_id"],
                        post_id=event.post_id,
                        post_status=post["status"],
                        changed=[(p.value, "scheduled") for p in event.platforms],
                        event_type=event.ce_type,
                    )
        outcome = "edited" if isinstance(event, PostEdited) else event.reason.value
        await cancel_waiter.announce(self.redis, event.request_id, outcome)


def _snapshot(row: asyncpg.Record) -> Snapshot:
    return Snapshot(TargetStatus(row["status"]), row["attempts"], len(orjson.loads(row["parts"])))


def _proposed(row: asyncpg.Record, status: TargetStatus, fields: dict[str, Any]) -> Snapshot:
    """The update as a snapshot; an event that names no attempt speaks of the current one."""
    return Snapshot(status, fields.get("attempts", row["attempts"]), len(fields.get("parts", [])))


def _changes(event: Event) -> dict[str, tuple[TargetStatus, dict[str, Any]]]:
    """platform ('*' = every platform) -> (new status, other columns)."""
    match event:
        case PostDispatched():
            return {event.platform.value: (TargetStatus.PUBLISHING, {"attempts": event.attempt})}
        case PostRetryScheduled():
            return {
                event.platform.value: (
                    TargetStatus.PUBLISHING,
                    {
                        "attempts": event.attempt,
                        "next_attempt_at": event.next_attempt_at,
                        "reason": event.reason,
                    },
                )
            }
        case PostPublished():
            return {
                event.platform.value: (
                    TargetStatus.PUBLISHED,
                    {
                        "attempts": event.attempt,
                        "parts": [p.model_dump() for p in event.parts],
                        "parts_planned": len(event.parts),
                        "reason": None,
                        "error_code": None,
                        "reauth_required": False,
                        "next_attempt_at": None,
                    },
                )
            }
        case PostPartiallyPublished():
            return {
                event.platform.value: (
                    TargetStatus.PARTIALLY_PUBLISHED,
                    {
                        "attempts": event.attempt,
                        "parts": [p.model_dump() for p in event.parts],
                        "parts_planned": event.planned_parts,
                        "reason": event.reason,
                        "error_code": event.error_code,
                        "reauth_required": event.reauth_required,
                        "next_attempt_at": None,
                    },
                )
            }
        case PostPublishFailed():
            return {
                event.platform.value: (
                    TargetStatus.FAILED,
                    {
                        "attempts": event.attempt,
                        "reason": event.reason,
                        "error_code": event.error_code,
                        "reauth_required": event.reauth_required,
                        "next_attempt_at": None,
                    },
                )
            }
        case PostMissed():
            return {event.platform.value: (TargetStatus.MISSED, {"reason": event.reason})}
        case PostCancelled():
            platforms = [p.value for p in event.platforms] or ["*"]
            return {p: (TargetStatus.CANCELLED, {"reason": "cancelled on request"}) for p in platforms}
        case PostScheduled() | PostCancelRefused():
            return {}
    return {}

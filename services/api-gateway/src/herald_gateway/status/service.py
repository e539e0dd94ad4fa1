"""Applies lifecycle events to the status store: each platform moves forward, the post follows.

A batch of events is applied in memory over its posts' locked rows, then written in a few round
trips; events of a post the store does not know yet are parked until its post.requested arrives."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
from prometheus_client import Counter
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
from herald_common.events.registry import event_class
from herald_common.logs import get_logger
from herald_common.poststatus import Snapshot, may_move, overall_status
from herald_gateway import cancel_waiter
from herald_gateway.events import repository as changes
from herald_gateway.posts import repository as repo
from herald_gateway.posts.schemas import TargetStatus
from herald_gateway.status import repository as status_repo

log = get_logger(__name__)


# A parked event waits this long for its post.requested; then it is dropped, logged and counted.
PARK_EXPIRY_SECONDS = 24 * 3600.0
EXPIRY_INTERVAL_SECONDS = 60.0

PARKED = Counter(
    "herald_status_parked_events_total",
    "Lifecycle events kept for a post the status store did not know yet",
    ["outcome"],  # parked | applied | expired
)


@dataclass(frozen=True)
class Lifecycle:
    """One lifecycle event as read, with its event id (a redelivery is parked once)."""

    event_id: str
    event: LifecycleEvent


@dataclass
class _Moves:
    """What a batch changed, written at the end in a few round trips."""

    targets: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)
    log: list[tuple[int, str, str, str, str, str]] = field(default_factory=list)


class StatusService:
    """The status store's rules. Its handlers (status/handlers.py) own each transaction and hand
    the service the connection; what must follow the commit (`announce`) they call after it."""

    def __init__(self, redis: Redis, park_expiry_seconds: float = PARK_EXPIRY_SECONDS) -> None:
        self.redis = redis
        self.park_expiry_seconds = park_expiry_seconds
        self._next_expiry = 0.0

    async def record_request(self, conn: asyncpg.Connection, event: PostRequested) -> None:
        """Posts produced straight to Kafka by internal services appear in the status store too;
        lifecycle events that came first are applied in the same transaction."""
        initial = TargetStatus.SCHEDULED if event.scheduled_for else TargetStatus.PUBLISHING
        await status_repo.lock_posts(conn, [event.post_id])
        inserted = await repo.insert_post(
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
        parked = await status_repo.take_parked(conn, event.post_id) if inserted else []
        events = [Lifecycle(r["event_id"], _rebuild(r["event_type"], r["data"])) for r in parked]
        if events:
            await self._apply_in(conn, events)
            PARKED.labels("applied").inc(len(events))

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[Lifecycle]) -> None:
        """The batch in the caller's transaction; each post's events in the order given."""
        unknown = await self._apply_in(conn, events)
        if unknown:
            # The intake may be recording one of these posts right now: wait for it, look again.
            await status_repo.lock_posts(conn, {e.event.post_id for e in unknown})
            unknown = await self._apply_in(conn, unknown)
        if unknown:
            await status_repo.park(
                conn,
                [(e.event_id, e.event.post_id, e.event.ce_type, e.event.model_dump_json()) for e in unknown],
            )
            PARKED.labels("parked").inc(len(unknown))
            log.info("lifecycle events kept until their post is recorded", extra={"count": len(unknown)})
        for item in events:
            if isinstance(item.event, PostEdited | PostEditRefused):
                await self._edit_answer(conn, item.event)
        await self._expire_old(conn)

    async def _edit_answer(self, conn: asyncpg.Connection, event: PostEdited | PostEditRefused) -> None:
        """Applies (or drops) the edit the gateway kept for this request; the answer follows the commit."""
        edit = await repo.take_edit(conn, event.request_id)
        if edit is None or not isinstance(event, PostEdited):
            return
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

    async def _apply_in(self, conn: asyncpg.Connection, events: Sequence[Lifecycle]) -> list[Lifecycle]:
        """Applies what it can; returns the events (that change something) of posts not in the store."""
        relevant = [e for e in events if _changes(e.event)]
        if not relevant:
            return []
        rows = await status_repo.lock_targets(conn, sorted({e.event.post_id for e in relevant}))
        state: dict[str, dict[str, dict[str, Any]]] = {}
        for row in rows:
            state.setdefault(row["post_id"], {})[row["platform"]] = dict(row)
        moves, unknown = _Moves(), []
        for item in relevant:
            targets = state.get(item.event.post_id)
            if targets is None:
                unknown.append(item)
            else:
                _apply_one(item.event, targets, moves)
        await status_repo.update_targets(conn, list(moves.targets.values()))
        await status_repo.set_post_statuses(conn, list(moves.posts.items()))
        await changes.record_changes(conn, moves.log)  # the live stream's log, in this same transaction
        return unknown

    async def _expire_old(self, conn: asyncpg.Connection) -> None:
        now = time.monotonic()
        if now < self._next_expiry:
            return
        self._next_expiry = now + EXPIRY_INTERVAL_SECONDS
        for row in await status_repo.expire_parked(conn, self.park_expiry_seconds):
            PARKED.labels("expired").inc()
            log.warning(
                "dropped a lifecycle event whose post never reached the status store",
                extra={"post_id": row["post_id"], "type": row["event_type"], "event_id": row["event_id"]},
            )

    async def announce(self, events: Sequence[Lifecycle]) -> None:
        """Cancel and edit answers go to the waiting request; call it after the batch committed."""
        for item in events:
            event = item.event
            if isinstance(event, PostEdited | PostEditRefused):
                outcome = "edited" if isinstance(event, PostEdited) else event.reason.value
                await cancel_waiter.announce(self.redis, event.request_id, outcome)
            if isinstance(event, PostCancelled | PostCancelRefused) and event.request_id:
                await cancel_waiter.announce(
                    self.redis,
                    event.request_id,
                    "cancelled" if isinstance(event, PostCancelled) else event.reason.value,
                )


def _apply_one(event: LifecycleEvent, targets: dict[str, dict[str, Any]], moves: _Moves) -> None:
    """Moves the post's targets (in memory) as the event says; notes what changed."""
    moved: list[tuple[str, str]] = []
    for platform, (status, fields) in _changes(event).items():
        for name in list(targets) if platform == "*" else [platform]:
            row = targets.get(name)
            if row is None or not may_move(_snapshot(row), _proposed(row, status, fields)):
                continue
            update = dict(fields)
            if "attempts" in update:  # a late result never lowers the count
                update["attempts"] = max(update["attempts"], row["attempts"])
            if "parts" in update:
                update["parts"] = orjson.dumps(update["parts"]).decode()
            row.update(update, status=status.value)
            moves.targets[event.post_id, name] = row
            moved.append((name, status.value))
    overall = overall_status([TargetStatus(t["status"]) for t in targets.values()]).value
    moves.posts[event.post_id] = overall
    business = next(iter(targets.values()))["business_id"]
    moves.log.extend((business, event.post_id, overall, p, s, event.ce_type) for p, s in moved)


def _rebuild(event_type: str, data: str) -> LifecycleEvent:
    cls = event_class(event_type)
    assert cls is not None and issubclass(cls, LifecycleEvent), event_type
    return cls.model_validate_json(data)


def _snapshot(row: Mapping[str, Any]) -> Snapshot:
    return Snapshot(TargetStatus(row["status"]), row["attempts"], len(orjson.loads(row["parts"])))


def _proposed(row: Mapping[str, Any], status: TargetStatus, fields: dict[str, Any]) -> Snapshot:
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

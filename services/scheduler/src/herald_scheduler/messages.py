"""The records the scheduler produces, with deterministic event ids: the same fact produced twice
(re-driven after a crash, a redelivered request) carries the same CloudEvents id, so consumers dedupe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from herald_common.events import (
    CancelRefusalReason,
    EditRefusalReason,
    Event,
    KafkaRecord,
    PostCancelled,
    PostCancelRefused,
    PostDispatched,
    PostDue,
    PostEdited,
    PostEditRefused,
    PostMissed,
    PostPublishFailed,
    PostRetryScheduled,
    PostScheduled,
    PostTarget,
    encode,
)
from herald_common.platforms import Platform
from herald_scheduler.model import Schedule

SOURCE = "/herald/scheduler"


def _record(event: Event, event_id: str) -> KafkaRecord:
    return encode(event, source=SOURCE, event_id=event_id)


def due_event_id(post_id: str, platform: str, attempt: int) -> str:
    return f"due:{post_id}:{platform}:{attempt}"


def due(row: Schedule, traceparent: str | None = None) -> KafkaRecord:
    """ce_time is the due instant (the occurrence), not the encoding time: the record is encoded when
    the row is leased, seconds before it fires, and a re-driven copy is then identical."""
    target = PostTarget.model_validate_json(row.target_json)
    event = PostDue(
        post_id=row.post_id,
        business_id=row.business_id,
        target=target,
        attempt=row.attempt,
        scheduled_for=row.scheduled_for,
        due_at=row.due_at,
        publish_by=row.publish_by,
        thread_numbering=row.thread_numbering,
    )
    return encode(
        event,
        source=SOURCE,
        event_id=due_event_id(row.post_id, row.platform, row.attempt),
        time=row.due_at,
        extra_headers={"traceparent": traceparent} if traceparent else None,
    )


def dispatched(row: Schedule, now: datetime) -> KafkaRecord:
    event = PostDispatched(
        post_id=row.post_id,
        business_id=row.business_id,
        occurred_at=now,
        platform=Platform(row.platform),
        attempt=row.attempt,
        due_at=row.due_at,
    )
    return _record(event, f"dispatched:{row.post_id}:{row.platform}:{row.attempt}")


def missed(row: Schedule, now: datetime) -> KafkaRecord:
    event = PostMissed(
        post_id=row.post_id,
        business_id=row.business_id,
        occurred_at=now,
        platform=Platform(row.platform),
        due_at=row.due_at,
        reason=f"late_policy=skip and the grace period ended at {row.publish_by}",
    )
    return _record(event, f"missed:{row.post_id}:{row.platform}:{row.attempt}")


def scheduled(
    post_id: str, business_id: int, platforms: Sequence[str], scheduled_for: datetime, now: datetime
) -> KafkaRecord:
    event = PostScheduled(
        post_id=post_id,
        business_id=business_id,
        occurred_at=now,
        platforms=tuple(Platform(p) for p in platforms),
        scheduled_for=scheduled_for,
    )
    return _record(event, f"scheduled:{post_id}")


def cancelled(
    post_id: str, business_id: int, request_id: str, platforms: Sequence[str], now: datetime
) -> KafkaRecord:
    event = PostCancelled(
        post_id=post_id,
        business_id=business_id,
        occurred_at=now,
        request_id=request_id,
        platforms=tuple(Platform(p) for p in platforms),
    )
    return _record(event, f"cancel-answer:{request_id}")


def cancel_refused(
    post_id: str, business_id: int, request_id: str, reason: CancelRefusalReason, now: datetime
) -> KafkaRecord:
    event = PostCancelRefused(
        post_id=post_id, business_id=business_id, occurred_at=now, request_id=request_id, reason=reason
    )
    return _record(event, f"cancel-answer:{request_id}")


def retry_scheduled(row: Schedule, reason: str, now: datetime) -> KafkaRecord:
    event = PostRetryScheduled(
        post_id=row.post_id,
        business_id=row.business_id,
        occurred_at=now,
        platform=Platform(row.platform),
        attempt=row.attempt,
        next_attempt_at=row.due_at,
        reason=reason,
    )
    return _record(event, f"retry-scheduled:{row.post_id}:{row.platform}:{row.attempt}")


def unanswered(row: Schedule, redrives: int, wait_seconds: float, now: datetime) -> KafkaRecord:
    """The watchdog gives up on an attempt whose due event was sent 1 + `redrives` times unanswered."""
    event = PostPublishFailed(
        post_id=row.post_id,
        business_id=row.business_id,
        occurred_at=now,
        platform=Platform(row.platform),
        attempt=row.attempt,
        reason=f"no result came from the {row.platform} publisher after {redrives} re-drives of its due"
        f" event (attempt {row.attempt}, {wait_seconds:g} s allowed each time)",
        error_code="no_result",
    )
    return _record(event, f"unanswered:{row.post_id}:{row.platform}:{row.attempt}")


def edited(
    post_id: str, business_id: int, request_id: str, due_at: datetime, platforms: Sequence[str], now: datetime
) -> KafkaRecord:
    event = PostEdited(
        post_id=post_id,
        business_id=business_id,
        occurred_at=now,
        request_id=request_id,
        scheduled_for=due_at,
        platforms=tuple(Platform(p) for p in platforms),
    )
    return _record(event, f"edit-answer:{request_id}")


def edit_refused(
    post_id: str, business_id: int, request_id: str, reason: EditRefusalReason, now: datetime
) -> KafkaRecord:
    event = PostEditRefused(
        post_id=post_id, business_id=business_id, occurred_at=now, request_id=request_id, reason=reason
    )
    return _record(event, f"edit-answer:{request_id}")

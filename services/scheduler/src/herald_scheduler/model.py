"""What the scheduler holds in memory about one (post, platform), and the pure timing rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from herald_common.events import LatePolicy

if TYPE_CHECKING:
    from herald_scheduler.emitter import Wire


class State(StrEnum):
    PENDING = "pending"
    LEASED = "leased"
    FIRING = "firing"
    SENT = "sent"
    ANSWERED = "answered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    MISSED = "missed"


Key = tuple[str, str]
"""(post_id, platform)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """One leased row: everything needed to build its due event without reading the row again."""

    post_id: str
    platform: str
    business_id: int
    attempt: int
    due_at: datetime
    scheduled_for: datetime
    publish_by: datetime | None
    thread_numbering: bool
    target_json: str
    firing: bool = False
    """Already past the compare-and-set (re-driven after a crash): produce it again, same event id."""
    due_record: Wire | None = field(default=None, compare=False, repr=False)
    """The due event, encoded when the row entered the heap, so firing only appends bytes to a batch."""
    traceparent: str | None = field(default=None, compare=False, repr=False)
    """The trace of the request that created the row (W3C), continued by its due event."""
    due_span: Any = field(default=None, compare=False, repr=False)
    """The due event's PRODUCER span when this process traces: started at arm, ended once acknowledged."""
    version: int = 0
    """The row's version when read (edits bump it): the fire's CAS loses if the row has moved on."""

    @property
    def key(self) -> Key:
        return (self.post_id, self.platform)

    @property
    def due_ts(self) -> float:
        return self.due_at.timestamp()


@dataclass(frozen=True, slots=True)
class Lease:
    """Who takes rows, until when, and which due times count as 'soon' (within the horizon)."""

    owner: str
    until: datetime
    horizon_end: datetime


@dataclass(frozen=True, slots=True)
class LeaseTerms:
    owner: str
    ttl_seconds: float
    horizon_seconds: float

    def at(self, now: datetime) -> Lease:
        return Lease(
            self.owner,
            now + timedelta(seconds=self.ttl_seconds),
            now + timedelta(seconds=self.horizon_seconds),
        )


def due_time(scheduled_for: datetime | None, now: datetime) -> datetime:
    """None means now; a time in the past is due at once (the late policy decides at fire time)."""
    return now if scheduled_for is None else scheduled_for


def publish_deadline(due_at: datetime, policy: LatePolicy, grace_seconds: int) -> datetime | None:
    """Past this instant a skip-policy post is missed; a publish-policy post has no deadline."""
    if policy is LatePolicy.SKIP:
        return due_at + timedelta(seconds=grace_seconds)
    return None


def resolve_grace(grace_seconds: int | None, default: int) -> int:
    return default if grace_seconds is None else grace_seconds


def is_missed(publish_by: datetime | None, now: datetime) -> bool:
    return publish_by is not None and now > publish_by

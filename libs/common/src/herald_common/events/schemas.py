"""Every event Herald exchanges. CloudEvents `type`s are versioned: a breaking change is a new class."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from herald_common.events import topics
from herald_common.events.base import Event
from herald_common.platforms import Platform

PostId = Annotated[str, Field(min_length=1, max_length=64)]


class LatePolicy(StrEnum):
    PUBLISH = "publish"
    """Publish as soon as possible, however late."""
    SKIP = "skip"
    """Give up (status `missed`) when the grace period after the due time has passed."""


class PostTarget(BaseModel):
    """What one platform receives: the text (after per-platform overrides) and media."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: Platform
    content: str = ""
    media_urls: tuple[str, ...] = ()
    first_comment: str | None = None
    account_id: str | None = None


# --- requests (into the scheduler) -------------------------------------------------------------


class PostRequested(Event):
    ce_type: ClassVar[str] = "com.herald.post.requested.v1"
    topic: ClassVar[str | None] = topics.POST_REQUESTS

    post_id: PostId
    targets: tuple[PostTarget, ...] = Field(min_length=1)
    scheduled_for: AwareDatetime | None = None
    """None means now."""
    late_policy: LatePolicy = LatePolicy.PUBLISH
    grace_seconds: int | None = Field(None, ge=0)
    """None means the scheduler's configured default."""
    thread_numbering: bool = False
    requested_at: AwareDatetime


class PostCancelRequested(Event):
    ce_type: ClassVar[str] = "com.herald.post.cancel-requested.v1"
    topic: ClassVar[str | None] = topics.POST_REQUESTS

    request_id: str
    requested_at: AwareDatetime


class PostRetryRequested(Event):
    """A publisher met a transient error and asks for another due event at `not_before`."""

    ce_type: ClassVar[str] = "com.herald.post.retry-requested.v1"
    topic: ClassVar[str | None] = topics.POST_REQUESTS

    platform: Platform
    attempt: int = Field(ge=1, description="the attempt that failed")
    not_before: AwareDatetime
    reason: str


class PostManualRetryRequested(Event):
    """Someone asked (POST /api/v2/posts/{id}/retry) to publish a failed or missed platform again.

    Unlike a publisher's retry request, it re-arms a row whose attempt already has a result; it
    names that attempt, so a redelivered request re-arms nothing twice."""

    ce_type: ClassVar[str] = "com.herald.post.manual-retry-requested.v1"
    topic: ClassVar[str | None] = topics.POST_REQUESTS

    platform: Platform
    attempt: int = Field(ge=1, description="the attempt that failed or was missed")
    requested_at: AwareDatetime


class PostEditRequested(Event):
    """Change a post that is not yet due: its time, and/or what each platform receives.

    The scheduler decides with the same rule as a cancel: an edit that reaches it before any of
    the post's rows has fired applies to all of them; after that it is refused."""

    ce_type: ClassVar[str] = "com.herald.post.edit-requested.v1"
    topic: ClassVar[str | None] = topics.POST_REQUESTS

    request_id: str
    scheduled_for: AwareDatetime | None = None
    """The new due time; None keeps it."""
    targets: tuple[PostTarget, ...] | None = None
    """The complete new target of each platform named; platforms not named keep theirs."""
    requested_at: AwareDatetime


# --- the due event (scheduler -> publisher) ----------------------------------------------------


class PostDue(Event):
    ce_type: ClassVar[str] = "com.herald.post.due.v1"

    target: PostTarget
    attempt: int = Field(1, ge=1)
    scheduled_for: AwareDatetime
    due_at: AwareDatetime
    """When this attempt was due; later than scheduled_for for retries."""
    publish_by: AwareDatetime | None = None
    """Past this instant the post is missed (late_policy=skip); None: publish however late."""
    thread_numbering: bool = False

    def topic_name(self) -> str:
        return topics.post_due_topic(self.target.platform)


# --- lifecycle (to the status store) -----------------------------------------------------------


class LifecycleEvent(Event):
    topic: ClassVar[str | None] = topics.POST_LIFECYCLE
    occurred_at: AwareDatetime


class PostScheduled(LifecycleEvent):
    """The scheduler holds the post durably (the gateway learns of Kafka-produced posts this way too)."""

    ce_type: ClassVar[str] = "com.herald.post.scheduled.v1"
    platforms: tuple[Platform, ...]
    scheduled_for: AwareDatetime


class PostDispatched(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.dispatched.v1"
    platform: Platform
    attempt: int
    due_at: AwareDatetime


class PostCancelled(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.cancelled.v1"
    request_id: str | None
    platforms: tuple[Platform, ...]


class CancelRefusalReason(StrEnum):
    ALREADY_DISPATCHED = "already_dispatched"
    NOT_FOUND = "not_found"


class PostCancelRefused(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.cancel-refused.v1"
    request_id: str | None
    reason: CancelRefusalReason


class PostEdited(LifecycleEvent):
    """The scheduler applied an edit to every platform of the post (the answer to PostEditRequested)."""

    ce_type: ClassVar[str] = "com.herald.post.edited.v1"
    request_id: str
    scheduled_for: AwareDatetime
    platforms: tuple[Platform, ...]


class EditRefusalReason(StrEnum):
    ALREADY_DISPATCHED = "already_dispatched"
    CANCELLED = "cancelled"
    NOT_FOUND = "not_found"


class PostEditRefused(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.edit-refused.v1"
    request_id: str
    reason: EditRefusalReason


class PostMissed(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.missed.v1"
    platform: Platform
    due_at: datetime
    reason: str


class PublishedPart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    index: int
    platform_post_id: str
    url: str | None = None


class PostPublished(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.published.v1"
    platform: Platform
    attempt: int
    parts: tuple[PublishedPart, ...]

    @property
    def url(self) -> str | None:
        return self.parts[0].url if self.parts else None


class PostPublishFailed(LifecycleEvent):
    ce_type: ClassVar[str] = "com.herald.post.publish-failed.v1"
    platform: Platform
    attempt: int
    reason: str
    error_code: str | None = None
    reauth_required: bool = False


class PostPartiallyPublished(LifecycleEvent):
    """Some parts are live and the rest will not follow: a thread stopped half-way (part 1 live,
    part 3 refused), or a post whose first comment was refused. Final, like PostPublishFailed,
    which it replaces whenever at least one part is live: `parts` are the live ones, `reason`
    says why the others are not."""

    ce_type: ClassVar[str] = "com.herald.post.partially-published.v1"
    platform: Platform
    attempt: int
    parts: tuple[PublishedPart, ...] = Field(min_length=1)
    planned_parts: int = Field(ge=2, description="how many parts the post has on this platform")
    reason: str
    error_code: str | None = None
    reauth_required: bool = False


class PostRetryScheduled(LifecycleEvent):
    """For the status store: the platform is still being worked on, next try at `next_attempt_at`."""

    ce_type: ClassVar[str] = "com.herald.post.retry-scheduled.v1"
    platform: Platform
    attempt: int
    next_attempt_at: AwareDatetime
    reason: str

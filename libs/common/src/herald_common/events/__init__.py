"""Event schemas, topic names and the CloudEvents codec: the contract between services."""

from herald_common.events import topics
from herald_common.events.base import Event, utcnow
from herald_common.events.envelope import Envelope, KafkaRecord, MalformedEvent, decode, encode
from herald_common.events.schemas import (
    CancelRefusalReason,
    LatePolicy,
    LifecycleEvent,
    PostCancelled,
    PostCancelRefused,
    PostCancelRequested,
    PostDispatched,
    PostDue,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostRequested,
    PostRetryRequested,
    PostRetryScheduled,
    PostScheduled,
    PostTarget,
    PublishedPart,
)

__all__ = [
    "CancelRefusalReason",
    "Envelope",
    "Event",
    "KafkaRecord",
    "LatePolicy",
    "LifecycleEvent",
    "MalformedEvent",
    "PostCancelRefused",
    "PostCancelRequested",
    "PostCancelled",
    "PostDispatched",
    "PostDue",
    "PostMissed",
    "PostPartiallyPublished",
    "PostPublishFailed",
    "PostPublished",
    "PostRequested",
    "PostRetryRequested",
    "PostRetryScheduled",
    "PostScheduled",
    "PostTarget",
    "PublishedPart",
    "decode",
    "encode",
    "topics",
    "utcnow",
]

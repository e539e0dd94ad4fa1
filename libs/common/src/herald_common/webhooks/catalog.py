"""The webhook events: which lifecycle events become which messages, and their payloads
(`{"type", "timestamp", "data"}`, as Standard Webhooks recommends).

One message per (post, platform) transition, plus `account.reauth_required` when a failure says
the account must be reconnected. Each message's id (the `webhook-id` header) is derived from the
lifecycle event's dedupe key, so a re-delivered lifecycle event yields the same id and no new row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from herald_common.events import (
    Envelope,
    PostCancelled,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostScheduled,
)

POST_EVENTS = (
    "post.scheduled",
    "post.published",
    "post.partially_published",
    "post.failed",
    "post.missed",
    "post.cancelled",
)
STATUS_CHANGED = "post.status_changed"
EVENT_TYPES = (*POST_EVENTS, STATUS_CHANGED, "account.reauth_required")


@dataclass(frozen=True)
class Message:
    id: str
    type: str
    business_id: int
    post_id: str
    occurred_at: datetime
    body: str


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _parts(parts: Any) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json") for p in parts]


def _data(event: Any) -> list[tuple[str, dict[str, Any]]]:
    """(type, data without post_id/business_id) for each message the event makes."""
    match event:
        case PostScheduled():
            when = _iso(event.scheduled_for)
            return [("post.scheduled", {"platform": p.value, "scheduled_for": when}) for p in event.platforms]
        case PostPublished():
            return [
                (
                    "post.published",
                    {
                        "platform": event.platform.value,
                        "attempt": event.attempt,
                        "url": event.url,
                        "parts": _parts(event.parts),
                    },
                )
            ]
        case PostPartiallyPublished():
            return [
                (
                    "post.partially_published",
                    {
                        "platform": event.platform.value,
                        "attempt": event.attempt,
                        "parts": _parts(event.parts),
                        "planned_parts": event.planned_parts,
                        "reason": event.reason,
                        "error_code": event.error_code,
                        "reauth_required": event.reauth_required,
                    },
                ),
                *_reauth(event),
            ]
        case PostPublishFailed():
            return [
                (
                    "post.failed",
                    {
                        "platform": event.platform.value,
                        "attempt": event.attempt,
                        "reason": event.reason,
                        "error_code": event.error_code,
                        "reauth_required": event.reauth_required,
                    },
                ),
                *_reauth(event),
            ]
        case PostMissed():
            return [("post.missed", {"platform": event.platform.value, "reason": event.reason})]
        case PostCancelled():
            platforms = [p.value for p in event.platforms] or [None]
            return [("post.cancelled", {"platform": p}) for p in platforms]
    return []


def _reauth(event: PostPublishFailed | PostPartiallyPublished) -> list[tuple[str, dict[str, Any]]]:
    if not event.reauth_required:
        return []
    return [("account.reauth_required", {"platform": event.platform.value, "reason": event.reason})]


def message_id(dedupe_key: str, event_type: str, platform: str | None) -> str:
    digest = hashlib.sha256(f"{dedupe_key}|{event_type}|{platform}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


def _message(envelope: Envelope[Any], event_type: str, data: dict[str, Any]) -> Message:
    event = envelope.data
    payload = {
        "type": event_type,
        "timestamp": _iso(event.occurred_at),
        "data": {"post_id": event.post_id, "business_id": event.business_id, **data},
    }
    return Message(
        id=message_id(envelope.dedupe_key, event_type, data.get("platform")),
        type=event_type,
        business_id=event.business_id,
        post_id=event.post_id,
        occurred_at=event.occurred_at,
        body=orjson.dumps(payload).decode(),
    )


def messages_for(envelope: Envelope[Any]) -> list[Message]:
    return [_message(envelope, event_type, data) for event_type, data in _data(envelope.data)]


def status_changed(
    envelope: Envelope[Any], status: str, previous: str | None, platforms: dict[str, str]
) -> Message:
    """The post's overall status moved (the rules of herald_common.poststatus)."""
    data = {"status": status, "previous_status": previous, "platforms": platforms}
    return _message(envelope, STATUS_CHANGED, data)

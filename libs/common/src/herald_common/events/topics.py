"""Kafka topic names: the only place they are spelled out.

Every topic is keyed by post id, so all events of one post keep their order.
"""

from __future__ import annotations

from typing import Final

from herald_common.platforms import Platform

POST_REQUESTS: Final = "herald.post.requests.v1"
"""Commands for the scheduler, keyed by post id: post.requested (from the gateway's outbox relay or any
internal service), post.cancel-requested, post.retry-requested (from publishers). One topic, so a
post's request, cancel and retries reach the scheduler in the order they were produced."""
POST_LIFECYCLE: Final = "herald.post.lifecycle.v1"
"""What happened to a post: scheduled, cancelled, cancel refused, missed, published, failed (to the status store)."""
DEAD_LETTER: Final = "herald.dead-letter.v1"
"""Events that could not be processed, with the reason in the `herald_dlq_reason` header."""


def post_due_topic(platform: Platform) -> str:
    """One due topic per platform, so each publisher consumes only its own work."""
    return f"herald.post.due.{platform.value}.v1"


def all_topics() -> list[str]:
    return [
        POST_REQUESTS,
        POST_LIFECYCLE,
        DEAD_LETTER,
        *(post_due_topic(p) for p in Platform),
    ]


# Headers a dead-lettered record carries besides its own: why, and where it came from.
REASON_HEADER = "herald_dlq_reason"
ORIGIN_TOPIC_HEADER = "herald_dlq_topic"
ORIGIN_PARTITION_HEADER = "herald_dlq_partition"
ORIGIN_OFFSET_HEADER = "herald_dlq_offset"

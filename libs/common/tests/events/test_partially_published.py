"""post.partially-published.v1: its own type (older consumers dead-letter it rather than misread a
failure), at least one live part, and a round trip through the CloudEvents codec."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from herald_common.events import PostPartiallyPublished, PublishedPart, decode, encode, topics, utcnow
from herald_common.events.registry import event_class
from herald_common.platforms import Platform


def partial(**changes: object) -> PostPartiallyPublished:
    fields: dict[str, object] = {
        "post_id": "p1",
        "business_id": 1,
        "occurred_at": utcnow(),
        "platform": Platform.TWITTER,
        "attempt": 1,
        "parts": (PublishedPart(index=0, platform_post_id="1", url="https://x.com/i/web/status/1"),),
        "planned_parts": 3,
        "reason": "X refused part 2",
        **changes,
    }
    return PostPartiallyPublished.model_validate(fields)


def test_round_trip_on_the_lifecycle_topic() -> None:
    event = partial()
    record = encode(event, source="/herald/tests")
    assert record.topic == topics.POST_LIFECYCLE
    assert record.headers["ce_type"] == "com.herald.post.partially-published.v1"
    assert event_class("com.herald.post.partially-published.v1") is PostPartiallyPublished
    assert decode(record.value, record.headers).data == event


@pytest.mark.parametrize("changes", [{"parts": ()}, {"planned_parts": 1}])
def test_something_live_and_something_missing(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        partial(**changes)

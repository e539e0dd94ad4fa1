"""Which lifecycle records answer a due event (pure: from encoded records, as they come off Kafka)."""

from __future__ import annotations

from datetime import UTC, datetime

from herald_common.events import (
    Event,
    PostDispatched,
    PostMissed,
    PostPublished,
    PostPublishFailed,
    decode,
    encode,
)
from herald_common.platforms import Platform
from herald_scheduler import messages
from herald_scheduler.results import is_result, may_be_result

NOW = datetime(2026, 1, 1, tzinfo=UTC)
COMMON = {"post_id": "p1", "business_id": 7, "occurred_at": NOW, "platform": Platform.TWITTER}


def answers(event: Event, source: str) -> tuple[bool, bool]:
    record = encode(event, source=source)
    headers = [(k, v.encode()) for k, v in record.headers.items()]
    return may_be_result(headers), is_result(decode(record.value, headers))


def test_the_publishers_results_answer_and_nothing_else_does() -> None:
    publisher = "/herald/publisher-twitter"
    assert answers(PostPublished(**COMMON, attempt=1, parts=()), publisher) == (True, True)
    assert answers(PostPublishFailed(**COMMON, attempt=1, reason="no"), publisher) == (True, True)
    assert answers(PostMissed(**COMMON, due_at=NOW, reason="late"), publisher) == (True, True)
    assert answers(PostDispatched(**COMMON, attempt=1, due_at=NOW), messages.SOURCE) == (False, False)


def test_the_schedulers_own_failures_and_misses_answer_nothing() -> None:
    """Else the watchdog's own PostPublishFailed would mark the row it failed as answered."""
    assert answers(PostPublishFailed(**COMMON, attempt=1, reason="no result"), messages.SOURCE) == (
        False,
        False,
    )
    assert answers(PostMissed(**COMMON, due_at=NOW, reason="late"), messages.SOURCE) == (False, False)

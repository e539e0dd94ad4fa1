"""Which lifecycle events answer a due event, and settling them. Results come from the publishers:
PostPublished and PostPublishFailed name the attempt; PostMissed names the attempt's due instant.
The scheduler's own lifecycle events (its PostMissed, the watchdog's PostPublishFailed) answer
nothing: they are skipped by their source."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from herald_common.events import Envelope, PostMissed, PostPublished, PostPublishFailed
from herald_scheduler import messages
from herald_scheduler import watchdog_repository as wrepo
from herald_scheduler.metrics import RESULTS_SETTLED

RESULTS = (PostPublished, PostPublishFailed, PostMissed)
_RESULT_TYPES = frozenset(c.ce_type.encode() for c in RESULTS)
_OWN_SOURCE = messages.SOURCE.encode()


def may_be_result(headers: Iterable[tuple[str, bytes]]) -> bool:
    """From the raw headers alone: a result type from another source. The scheduler produces most of
    the topic itself (a PostDispatched per due event), so the rest is never decoded."""
    found = dict(headers)
    return found.get("ce_type") in _RESULT_TYPES and found.get("ce_source") != _OWN_SOURCE


def is_result(envelope: Envelope[Any]) -> bool:
    return isinstance(envelope.data, RESULTS) and envelope.source != messages.SOURCE


async def settle(conn: wrepo.Conn, results: Iterable[Envelope[Any]]) -> int:
    """Mark the answered attempts; a result for an attempt that is no longer current changes nothing."""
    attempts: list[tuple[str, str, int]] = []
    missed = []
    for envelope in results:
        event = envelope.data
        if isinstance(event, PostMissed):
            missed.append((event.post_id, event.platform.value, event.due_at))
        else:
            attempts.append((event.post_id, event.platform.value, event.attempt))
    settled = await wrepo.settle_attempts(conn, attempts) + await wrepo.settle_missed(conn, missed)
    RESULTS_SETTLED.inc(settled)
    return settled

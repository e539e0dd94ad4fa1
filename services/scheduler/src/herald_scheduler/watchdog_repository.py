"""The watchdog's SQL: results settle sent rows; overdue sent rows are re-driven or failed.

Like repository.py, callers pass the connection (and own the transaction) and the application clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

Conn = Any


async def settle_attempts(conn: Conn, results: Sequence[tuple[str, str, int]]) -> int:
    """A result (published or failed) came for (post, platform, attempt): the row stops waiting, if that
    attempt is still the current one. A row the watchdog already failed takes the real result too."""
    return await _settle(conn, "attempt", "int", results)


async def settle_missed(conn: Conn, results: Sequence[tuple[str, str, datetime]]) -> int:
    """A publisher's PostMissed names no attempt but the attempt's due instant, which identifies it."""
    return await _settle(conn, "due_at", "timestamptz", results)


async def _settle(conn: Conn, key: str, key_type: str, results: Sequence[tuple[str, str, Any]]) -> int:
    """Answers the rows named by (post, platform, `key`). They are found by primary key and locked in
    ctid order (a Tid Scan), as the fire CAS locks them. `key` and `key_type` are the callers' constants."""
    if not results:
        return 0
    post_ids, platforms, keys = (list(c) for c in zip(*results, strict=True))
    status = await conn.execute(
        f"""
        UPDATE schedules s SET state = 'answered', answer_by = NULL, lease_owner = NULL, lease_until = NULL,
                               updated_at = now()
        WHERE s.ctid = ANY (ARRAY (SELECT t.ctid
                                   FROM unnest($1::text[], $2::text[], $3::{key_type}[]) AS k(post_id, platform, {key})
                                   CROSS JOIN LATERAL (SELECT ctid FROM schedules
                                                       WHERE post_id = k.post_id AND platform = k.platform
                                                         AND {key} = k.{key}) t))
          AND s.state IN ('firing', 'sent', 'failed')
        """,  # noqa: S608 - key and key_type are constants of this module
        post_ids,
        platforms,
        keys,
    )
    return int(status.split()[-1])


async def take_overdue(
    conn: Conn, now: datetime, next_answer_by: datetime, max_redrives: int, limit: int
) -> list[Any]:
    """Sent rows whose result is overdue: re-driven (redrives + 1, a new deadline) while re-drives are
    left, else failed. SKIP LOCKED: replicas sweeping at once take disjoint rows, and a row stays
    locked until the caller has produced its event and committed."""
    return list(
        await conn.fetch(
            """
        UPDATE schedules s
        SET state = CASE WHEN s.redrives >= $3 THEN 'failed' ELSE 'sent' END,
            redrives = CASE WHEN s.redrives >= $3 THEN s.redrives ELSE s.redrives + 1 END,
            answer_by = CASE WHEN s.redrives >= $3 THEN NULL ELSE $2::timestamptz END,
            updated_at = now()
        WHERE s.ctid = ANY (ARRAY (SELECT ctid FROM schedules
                                   WHERE state = 'sent' AND answer_by < $1
                                   ORDER BY answer_by LIMIT $4 FOR UPDATE SKIP LOCKED))
          AND s.state = 'sent'
        RETURNING s.post_id, s.platform, s.business_id, s.attempt, s.due_at, s.scheduled_for, s.publish_by,
                  s.thread_numbering, s.target::text AS target, s.state, s.traceparent, s.redrives,
                  s.version
        """,
            now,
            next_answer_by,
            max_redrives,
            limit,
        )
    )


async def count_stuck(conn: Conn, now: datetime) -> int:
    """Sent rows past their first deadline: overdue now, or re-driven and still unanswered."""
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM schedules WHERE state = 'sent' AND (answer_by < $1 OR redrives > 0)", now
        )
    )

"""All of the scheduler's SQL. Callers pass the connection, so the caller owns the transaction.

Times are passed in from the application clock, so one replica judges "due" and "expired" by a
single clock; replicas' clocks are assumed NTP-synchronised (lease TTLs are tens of seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herald_scheduler.model import Lease, Schedule

Conn = Any
"""An asyncpg Connection or Pool (both have fetch/fetchval/execute)."""


@dataclass(frozen=True, slots=True)
class NewSchedule:
    post_id: str
    platform: str
    business_id: int
    due_at: datetime
    scheduled_for: datetime
    late_policy: str
    grace_seconds: int
    publish_by: datetime | None
    thread_numbering: bool
    target_json: str
    traceparent: str | None = None


def to_schedule(r: Any) -> Schedule:
    return Schedule(
        r["post_id"],
        r["platform"],
        r["business_id"],
        r["attempt"],
        r["due_at"],
        r["scheduled_for"],
        r["publish_by"],
        r["thread_numbering"],
        r["target"],
        firing=r["state"] == "firing",
        traceparent=r["traceparent"],
        version=r["version"],
    )


async def insert_schedules(conn: Conn, rows: Sequence[NewSchedule], lease: Lease) -> list[Any]:
    """Insert what is new (a redelivered request changes nothing); rows due soon are leased to us at
    once, rows of a tombstoned post are stored cancelled. Returns the inserted rows."""
    cols = list(
        zip(
            *(
                (
                    r.post_id,
                    r.platform,
                    r.business_id,
                    r.due_at,
                    r.scheduled_for,
                    r.late_policy,
                    r.grace_seconds,
                    r.publish_by,
                    r.thread_numbering,
                    r.target_json,
                    r.traceparent,
                )
                for r in rows
            ),
            strict=True,
        )
    )
    return list(
        await conn.fetch(
            """
        INSERT INTO schedules AS s (post_id, platform, business_id, state, due_at, scheduled_for,
                                    late_policy, grace_seconds, publish_by, thread_numbering, target,
                                    lease_owner, lease_until, traceparent)
        SELECT r.post_id, r.platform, r.business_id,
               CASE WHEN t.dead THEN 'cancelled' WHEN r.due_at <= $11 THEN 'leased' ELSE 'pending' END,
               r.due_at, r.scheduled_for, r.late_policy, r.grace_seconds, r.publish_by, r.thread_numbering,
               r.target::jsonb,
               CASE WHEN NOT t.dead AND r.due_at <= $11 THEN $12 END,
               CASE WHEN NOT t.dead AND r.due_at <= $11 THEN $13::timestamptz END, r.traceparent
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::text[],
                    $7::int[], $8::timestamptz[], $9::bool[], $10::text[], $14::text[])
             AS r(post_id, platform, business_id, due_at, scheduled_for, late_policy, grace_seconds,
                  publish_by, thread_numbering, target, traceparent)
        CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM cancellations c
                                           WHERE c.post_id = r.post_id AND c.tombstone) AS dead) t
        ON CONFLICT (post_id, platform) DO NOTHING
        RETURNING post_id, platform, business_id, attempt, due_at, scheduled_for, publish_by,
                  thread_numbering, target::text AS target, state, traceparent, version
        """,
            *cols[:10],
            lease.horizon_end,
            lease.owner,
            lease.until,
            cols[10],
        )
    )


async def posts_with_cancelled_rows(conn: Conn, post_ids: Sequence[str]) -> set[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT post_id FROM schedules WHERE post_id = ANY($1::text[]) AND state = 'cancelled'",
        list(post_ids),
    )
    return {r["post_id"] for r in rows}


async def previous_cancel_answers(conn: Conn, request_ids: Sequence[str]) -> dict[str, Any]:
    """request id -> (outcome, platforms, reason) of cancels answered before (redelivered requests)."""
    rows = await conn.fetch(
        "SELECT request_id, outcome, platforms, reason FROM cancellations WHERE request_id = ANY($1::text[])",
        list(request_ids),
    )
    return {r["request_id"]: r for r in rows}


async def lock_open_rows(conn: Conn, post_ids: Sequence[str]) -> None:
    """Take the row locks of these posts' not yet fired rows, first thing in a cancel's transaction: a
    fire-time CAS reaching them later waits for the transaction, then finds them cancelled. Locked in
    ctid order, the order in which the CAS's Tid Scan locks its batch, so the two cannot deadlock."""
    await conn.execute(
        "SELECT 1 FROM schedules WHERE post_id = ANY($1::text[]) AND state IN ('pending', 'leased')"
        " ORDER BY ctid FOR UPDATE",
        list(post_ids),
    )


async def cancel_open_rows(conn: Conn, post_ids: Sequence[str]) -> dict[str, list[str]]:
    """Flip every row the due event has not left for, for the posts none of whose rows has fired; the
    fire-time CAS then fails for the firer. A post with one platform already dispatched keeps all its
    rows: a post is cancelled whole or not at all. Returns post id -> the platforms flipped.

    Stable within the transaction: the caller locked the posts' open rows first (lock_open_rows), so
    none of them can start firing until it commits."""
    rows = await conn.fetch(
        """
        UPDATE schedules s SET state = 'cancelled', lease_owner = NULL, lease_until = NULL, updated_at = now()
        WHERE s.post_id = ANY($1::text[]) AND s.state IN ('pending', 'leased')
          AND NOT EXISTS (SELECT 1 FROM schedules o
                          WHERE o.post_id = s.post_id AND o.state IN ('firing', 'sent', 'answered', 'failed'))
        RETURNING s.post_id, s.platform
        """,
        list(post_ids),
    )
    flipped: dict[str, list[str]] = {}
    for r in rows:
        flipped.setdefault(r["post_id"], []).append(r["platform"])
    return {post_id: sorted(platforms) for post_id, platforms in flipped.items()}


async def row_states(conn: Conn, post_ids: Sequence[str]) -> dict[str, list[str]]:
    """post id -> the states of its rows (posts with no rows are absent)."""
    rows = await conn.fetch(
        "SELECT post_id, state FROM schedules WHERE post_id = ANY($1::text[])", list(post_ids)
    )
    states: dict[str, list[str]] = {}
    for r in rows:
        states.setdefault(r["post_id"], []).append(r["state"])
    return states


@dataclass(frozen=True, slots=True)
class CancelAnswer:
    outcome: str
    platforms: list[str]
    reason: str | None
    tombstone: bool = False


async def record_cancel_answers(conn: Conn, answers: Sequence[tuple[str, str, CancelAnswer]]) -> None:
    """(request id, post id, answer) each; a request answered before keeps its first answer."""
    await conn.executemany(
        "INSERT INTO cancellations (request_id, post_id, outcome, platforms, reason, tombstone)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING",
        [(rid, pid, a.outcome, a.platforms, a.reason, a.tombstone) for rid, pid, a in answers],
    )


@dataclass(frozen=True, slots=True)
class EditAnswer:
    outcome: str
    reason: str | None
    due_at: datetime | None
    platforms: list[str]


async def previous_edit_answer(conn: Conn, request_id: str) -> EditAnswer | None:
    r = await conn.fetchrow(
        "SELECT outcome, reason, due_at, platforms FROM edits WHERE request_id = $1", request_id
    )
    return None if r is None else EditAnswer(r["outcome"], r["reason"], r["due_at"], list(r["platforms"]))


async def record_edit_answer(conn: Conn, request_id: str, post_id: str, a: EditAnswer) -> None:
    await conn.execute(
        "INSERT INTO edits (request_id, post_id, outcome, reason, due_at, platforms)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING",
        request_id,
        post_id,
        a.outcome,
        a.reason,
        a.due_at,
        a.platforms,
    )


async def edit_open_rows(conn: Conn, req: Any, lease: Lease) -> list[Any]:
    """Apply an edit to every row of the post, when none has fired (all `pending` or `leased`):
    new due time, deadline and target. A row due within the horizon is leased to us (the caller
    arms it, replacing the old timer); others go back to `pending`. Either way the row's version goes
    up, so the CAS of a timer armed before the edit loses. Returns the rows changed (none: refused)."""
    targets = req.targets or ()
    return list(
        await conn.fetch(
            """
        UPDATE schedules s
        SET due_at = COALESCE($2::timestamptz, s.due_at),
            scheduled_for = COALESCE($2::timestamptz, s.scheduled_for),
            publish_by = CASE WHEN s.late_policy = 'skip'
                              THEN COALESCE($2::timestamptz, s.due_at) + make_interval(secs => s.grace_seconds) END,
            target = COALESCE((SELECT t.target::jsonb FROM unnest($3::text[], $4::text[]) AS t(platform, target)
                               WHERE t.platform = s.platform), s.target),
            state = CASE WHEN COALESCE($2::timestamptz, s.due_at) <= $5 THEN 'leased' ELSE 'pending' END,
            lease_owner = CASE WHEN COALESCE($2::timestamptz, s.due_at) <= $5 THEN $6 END,
            lease_until = CASE WHEN COALESCE($2::timestamptz, s.due_at) <= $5 THEN $7::timestamptz END,
            version = s.version + 1, updated_at = now()
        WHERE s.post_id = $1 AND s.state IN ('pending', 'leased')
          AND NOT EXISTS (SELECT 1 FROM schedules o
                          WHERE o.post_id = s.post_id AND o.state NOT IN ('pending', 'leased'))
        RETURNING s.post_id, s.platform, s.business_id, s.attempt, s.due_at, s.scheduled_for, s.publish_by,
                  s.thread_numbering, s.target::text AS target, s.state, s.traceparent, s.version
        """,
            req.post_id,
            req.scheduled_for,
            [t.platform.value for t in targets],
            [t.model_dump_json() for t in targets],
            lease.horizon_end,
            lease.owner,
            lease.until,
        )
    )


RETRY_FROM = ("firing", "sent")
"""A publisher's retry: the attempt is still out, with no result."""
MANUAL_RETRY_FROM = ("firing", "sent", "answered", "failed", "missed")
"""A retry asked for through the API: the attempt failed or was missed (its result may be in)."""


async def rearm_for_retry(
    conn: Conn,
    post_id: str,
    platform: str,
    failed_attempt: int,
    not_before: datetime,
    lease: Lease,
    from_states: Sequence[str] = RETRY_FROM,
) -> Any:
    """attempt+1 at not_before, only if the failed attempt is the row's current one (idempotent),
    with a new publish_by counted from not_before."""
    return await conn.fetchrow(
        """
        UPDATE schedules SET attempt = attempt + 1, due_at = $4::timestamptz, updated_at = now(),
               answer_by = NULL, redrives = 0,
               publish_by = CASE WHEN late_policy = 'skip'
                                 THEN $4::timestamptz + make_interval(secs => grace_seconds) END,
               state = CASE WHEN $4 <= $5 THEN 'leased' ELSE 'pending' END,
               lease_owner = CASE WHEN $4 <= $5 THEN $6 END,
               lease_until = CASE WHEN $4 <= $5 THEN $7::timestamptz END
        WHERE post_id = $1 AND platform = $2 AND attempt = $3 AND state = ANY($8::text[])
        RETURNING post_id, platform, business_id, attempt, due_at, scheduled_for, publish_by,
                  thread_numbering, target::text AS target, state, traceparent, version
        """,
        post_id,
        platform,
        failed_attempt,
        not_before,
        lease.horizon_end,
        lease.owner,
        lease.until,
        list(from_states),
    )


async def current_attempt(conn: Conn, post_id: str, platform: str) -> int | None:
    value = await conn.fetchval(
        "SELECT attempt FROM schedules WHERE post_id = $1 AND platform = $2", post_id, platform
    )
    return None if value is None else int(value)


async def claim_due(conn: Conn, lease: Lease, limit: int) -> list[Any]:
    """Lease pending rows due within the horizon; SKIP LOCKED lets replicas claim side by side.

    The rows are picked by ctid through an array, so the update is a Tid Scan whatever plan is
    cached: joining the subquery back to the table let a generic plan hash-join a full scan of the
    backlog (seconds per claim with 1,000,000 far-future rows)."""
    return list(
        await conn.fetch(
            """
        UPDATE schedules s SET state = 'leased', lease_owner = $1, lease_until = $2, updated_at = now()
        WHERE s.ctid = ANY (ARRAY (SELECT ctid FROM schedules
                                   WHERE state = 'pending' AND due_at <= $3
                                   ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED))
          AND s.state = 'pending'
        RETURNING s.post_id, s.platform, s.business_id, s.attempt, s.due_at, s.scheduled_for, s.publish_by,
                  s.thread_numbering, s.target::text AS target, s.state, s.traceparent, s.version
        """,
            lease.owner,
            lease.until,
            lease.horizon_end,
            limit,
        )
    )


async def take_over_expired(conn: Conn, lease: Lease, now: datetime, limit: int) -> list[Any]:
    """Rows whose holder died: leased ones go back through the CAS, firing ones are produced again."""
    return list(
        await conn.fetch(
            """
        UPDATE schedules s SET lease_owner = $1, lease_until = $2, updated_at = now()
        WHERE s.ctid = ANY (ARRAY (SELECT ctid FROM schedules
                                   WHERE state IN ('leased', 'firing') AND lease_until < $3
                                   ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED))
          AND s.state IN ('leased', 'firing')
        RETURNING s.post_id, s.platform, s.business_id, s.attempt, s.due_at, s.scheduled_for, s.publish_by,
                  s.thread_numbering, s.target::text AS target, s.state, s.traceparent, s.version
        """,
            lease.owner,
            lease.until,
            now,
            limit,
        )
    )


_CTIDS_BY_KEY = """ARRAY (SELECT t.ctid
                           FROM unnest({keys}::text[], {platforms}::text[], {attempts}::int[])
                                AS k(post_id, platform, attempt)
                           CROSS JOIN LATERAL (SELECT ctid FROM schedules
                                               WHERE post_id = k.post_id AND platform = k.platform
                                                 AND attempt = k.attempt) t)"""
"""The rows of a batch of keys, each found through the primary key (the LATERAL keeps the keys on the
outside of the join); the UPDATE checks state and owner on those rows only (a Tid Scan). Joining the
keys to the table directly let the planner, with statistics from when no row was leased (every
lease_owner NULL), run a nested loop over all leased rows x every key: 10 s per CAS at 5,000/s.
A row updated concurrently (a cancel, a take-over) is skipped: it has a new ctid, and the CAS lost."""


async def fire(conn: Conn, lease: Lease, rows: Sequence[Schedule], now: datetime) -> list[Any]:
    """The compare-and-set where fire, cancel and edit race: leased-by-me rows become firing (or
    missed when a skip-policy row is past publish_by). Rows cancelled or taken over meanwhile are
    absent, and so are rows edited since their timer was armed (a newer version): that timer's due
    event holds the old text or time, and the timer the edit armed fires the row instead.

    Versions are checked on the row as it is when updated (a row an edit has just committed is read
    again), so an edit committing while the CAS waits for its lock wins too. Only edited rows have
    a version above 0; theirs are looked up in a hashed set of the batch's keys.

    The lease is renewed in the same statement: a replica that fires late under overload keeps a
    full TTL to produce and mark the row, so no other replica takes it over meanwhile."""
    return list(
        await conn.fetch(
            f"""
        UPDATE schedules s
        SET state = CASE WHEN s.publish_by IS NOT NULL AND $5 > s.publish_by THEN 'missed' ELSE 'firing' END,
            lease_until = $6, updated_at = now()
        WHERE s.ctid = ANY ({_CTIDS_BY_KEY.format(keys="$2", platforms="$3", attempts="$4")})
          AND s.state = 'leased' AND s.lease_owner = $1
          AND (s.version = 0
               OR (s.post_id, s.platform, s.attempt, s.version)
                  IN (SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $7::int[])))
        RETURNING s.post_id, s.platform, s.state
        """,
            lease.owner,
            [r.post_id for r in rows],
            [r.platform for r in rows],
            [r.attempt for r in rows],
            now,
            lease.until,
            [r.version for r in rows],
        )
    )


async def relax_commit(conn: Conn) -> None:
    """This transaction's commit need not wait for the WAL flush. Only for writes whose loss in a
    database crash is harmless: a `firing` row that loses its `sent` is produced again, same event id."""
    await conn.execute("SET LOCAL synchronous_commit = off")


async def mark_sent(conn: Conn, rows: Sequence[Schedule], answer_by: datetime) -> None:
    """The due events are out: from now on the watchdog waits for each one's result until `answer_by`."""
    await conn.execute(
        f"""
        UPDATE schedules s SET state = 'sent', lease_owner = NULL, lease_until = NULL, updated_at = now(),
                               answer_by = $4
        WHERE s.ctid = ANY ({_CTIDS_BY_KEY.format(keys="$1", platforms="$2", attempts="$3")})
          AND s.state = 'firing'
        """,
        [r.post_id for r in rows],
        [r.platform for r in rows],
        [r.attempt for r in rows],
        answer_by,
    )


async def release(conn: Conn, owner: str) -> int:
    """Hand back what we leased but did not fire, so another replica picks it up at once."""
    status = await conn.execute(
        "UPDATE schedules SET state = 'pending', lease_owner = NULL, lease_until = NULL, updated_at = now()"
        " WHERE state = 'leased' AND lease_owner = $1",
        owner,
    )
    return int(status.split()[-1])


async def count_pending(conn: Conn) -> int:
    """Rows whose due event has not gone out yet (two counts, so each uses its partial index)."""
    return int(
        await conn.fetchval(
            "SELECT (SELECT count(*) FROM schedules WHERE state = 'pending')"
            " + (SELECT count(*) FROM schedules WHERE state IN ('leased', 'firing'))"
        )
    )

"""The scheduler's decisions on requests: store, cancel, re-arm. The caller owns the transaction and
produces the returned records only after it commits, then arms the returned rows in its heap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import TypeAlias

from herald_common.events import (
    KafkaRecord,
    PostCancelRequested,
    PostEditRequested,
    PostManualRetryRequested,
    PostRequested,
    PostRetryRequested,
)
from herald_common.logs import get_logger
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler.cancels import cancel_run
from herald_scheduler.edits import edit as _edit
from herald_scheduler.model import LeaseTerms, Schedule, State, due_time, publish_deadline, resolve_grace

log = get_logger(__name__)
Request: TypeAlias = (
    PostRequested | PostCancelRequested | PostRetryRequested | PostManualRetryRequested | PostEditRequested
)


@dataclass
class Outcome:
    records: list[KafkaRecord] = field(default_factory=list)
    """Lifecycle answers, to produce after the commit."""
    armed: list[Schedule] = field(default_factory=list)
    """Rows leased to this replica on the way in (due within the horizon), for its timer heap."""


class SchedulingService:
    def __init__(self, terms: LeaseTerms, default_grace_seconds: int) -> None:
        self._terms = terms
        self._default_grace = default_grace_seconds

    async def handle(
        self,
        conn: repo.Conn,
        requests: Sequence[Request],
        now: datetime,
        traces: Mapping[str, str] | None = None,
    ) -> Outcome:
        """Requests in consumption order. A run of consecutive PostRequested is stored in one statement,
        a run of cancels decided in a few (cancels.py); a request between runs keeps its place.
        `traces` maps a post id to the trace context its schedule rows keep (see tracing.py)."""
        out = Outcome()
        if held := [r.post_id for r in requests if isinstance(r, PostCancelRequested | PostEditRequested)]:
            # First thing: a cancel or edit that arrived before the due instant holds the rows before
            # the fire-time CAS can take them, however long the rest of the batch takes.
            await repo.lock_open_rows(conn, held)
        for kind, run in groupby(requests, key=type):
            if kind is PostRequested:
                posts = [r for r in run if isinstance(r, PostRequested)]
                await self._store(posts, conn, now, out, traces or {})
            elif kind is PostCancelRequested:
                cancels = [r for r in run if isinstance(r, PostCancelRequested)]
                out.records.extend(await cancel_run(conn, cancels, now))
            else:
                for request in run:
                    if isinstance(request, PostEditRequested):
                        record, armed = await _edit(conn, request, now, self._terms.at(now))
                        out.records.append(record)
                        out.armed.extend(armed)
                    elif isinstance(request, PostRetryRequested | PostManualRetryRequested):
                        await self._retry(request, conn, now, out)
        return out

    async def _store(
        self,
        posts: list[PostRequested],
        conn: repo.Conn,
        now: datetime,
        out: Outcome,
        traces: Mapping[str, str],
    ) -> None:
        rows: list[repo.NewSchedule] = []
        due_by_post: dict[str, datetime] = {}
        for post in posts:
            due = due_by_post.setdefault(post.post_id, due_time(post.scheduled_for, now))
            grace = resolve_grace(post.grace_seconds, self._default_grace)
            publish_by = publish_deadline(due, post.late_policy, grace)
            rows.extend(
                repo.NewSchedule(
                    post.post_id,
                    t.platform.value,
                    post.business_id,
                    due,
                    due,
                    post.late_policy.value,
                    grace,
                    publish_by,
                    post.thread_numbering,
                    t.model_dump_json(),
                    traces.get(post.post_id),
                )
                for t in post.targets
            )
        inserted = await repo.insert_schedules(conn, rows, self._terms.at(now))
        new_posts = {r["post_id"] for r in inserted}
        out.armed.extend(repo.to_schedule(r) for r in inserted if r["state"] == State.LEASED)
        # A redelivered request changes nothing, but its PostScheduled may not have gone out before a
        # crash: say it again (same event id) unless the post has been cancelled meanwhile.
        cancelled = await repo.posts_with_cancelled_rows(conn, [p.post_id for p in posts])
        tombstoned = {r["post_id"] for r in inserted if r["state"] == State.CANCELLED}
        seen: set[str] = set()
        for post in posts:
            if post.post_id in seen or post.post_id in cancelled:
                if post.post_id in tombstoned:
                    log.info(
                        "post arrived after its cancel: stored as cancelled", extra={"post_id": post.post_id}
                    )
                continue
            seen.add(post.post_id)
            if post.post_id not in new_posts:
                log.info("redelivered post request: already stored", extra={"post_id": post.post_id})
            out.records.append(
                messages.scheduled(
                    post.post_id,
                    post.business_id,
                    [t.platform.value for t in post.targets],
                    due_by_post[post.post_id],
                    now,
                )
            )

    async def _retry(
        self, req: PostRetryRequested | PostManualRetryRequested, conn: repo.Conn, now: datetime, out: Outcome
    ) -> None:
        manual = isinstance(req, PostManualRetryRequested)
        row = await repo.rearm_for_retry(
            conn,
            req.post_id,
            req.platform.value,
            req.attempt,
            now if manual else req.not_before,
            self._terms.at(now),
            repo.MANUAL_RETRY_FROM if manual else repo.RETRY_FROM,
        )
        if row is None:
            current = await repo.current_attempt(conn, req.post_id, req.platform.value)
            log.info(
                "retry request ignored: not the current attempt, or the row is not dispatched",
                extra={"post_id": req.post_id, "failed_attempt": req.attempt, "current_attempt": current},
            )
            return
        schedule = repo.to_schedule(row)
        if row["state"] == State.LEASED:
            out.armed.append(schedule)
        reason = "retry requested through the API" if manual else req.reason
        out.records.append(messages.retry_scheduled(schedule, reason, now))

"""Bulk uploads: every row checked as a single post would be, each row's answer on its own line.

A row's failure never blocks the others. Each row has an idempotency key: its `external_id`, or
else a digest of the row itself, so re-sending the same file creates nothing twice (two identical
rows without an external id are one post). Valid rows are stored a chunk at a time, each chunk in
one transaction of a few statements, opened by the endpoint."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
from pydantic import ValidationError

from herald_common.events import PostTarget, encode, utcnow
from herald_common.platforms import Platform
from herald_common.poststatus import overall_status
from herald_gateway.posts import bulk_repository as bulk_repo
from herald_gateway.posts.bulk_rows import EXTERNAL_ID
from herald_gateway.posts.requested import new_targets, requested_event
from herald_gateway.posts.schemas import (
    BulkResult,
    BulkRowResult,
    PublishRequest,
    ScheduleRequest,
    TargetStatus,
)
from herald_gateway.posts.validation import build_targets, resolve_due_time
from herald_gateway.problems import Problem

SOURCE = "/herald/api-gateway"
CHUNK = 1000
Stored = tuple[str, str | None, str | None]
PinAccounts = Callable[[int, list[PostTarget], dict[Platform, str]], Awaitable[list[PostTarget]]]


class _Invalid(Exception):
    def __init__(self, violations: list[dict[str, Any]]) -> None:
        self.violations = violations


@dataclass
class CheckedRows:
    """An upload's rows once checked: the answers so far and the distinct posts left to store."""

    business_id: int
    results: list[BulkRowResult] = field(default_factory=list)
    keys: dict[int, str] = field(default_factory=dict)
    """Row number -> its key (rows repeating an earlier one share it)."""
    pending: dict[str, bulk_repo.NewPost] = field(default_factory=dict)

    def chunks(self) -> list[list[bulk_repo.NewPost]]:
        """The posts to store, CHUNK at a time: each chunk is one transaction at the edge."""
        posts = list(self.pending.values())
        return [posts[start : start + CHUNK] for start in range(0, len(posts), CHUNK)]


async def check_rows(
    business_id: int,
    rows: list[dict[str, Any] | str],
    *,
    pin_accounts: PinAccounts,
    allow_media_hosts: Any,
) -> CheckedRows:
    checked = CheckedRows(business_id)
    now = utcnow()
    for number, row in enumerate(rows, start=1):
        external = str(row.get(EXTERNAL_ID)) if isinstance(row, dict) and row.get(EXTERNAL_ID) else None
        result = BulkRowResult(row=number, external_id=external, status="invalid")
        checked.results.append(result)
        try:
            if isinstance(row, str):
                raise _Invalid([{"message": row}])
            post = await _post(row, business_id, now, pin_accounts, allow_media_hosts)
        except _Invalid as exc:
            result.violations = exc.violations
            continue
        checked.keys[number] = post.key
        checked.pending.setdefault(post.key, post)
    return checked


def answer(checked: CheckedRows, stored: dict[str, Stored]) -> BulkResult:
    """Each row's answer once its chunk is stored."""
    results = checked.results
    first_row: dict[str, int] = {}
    for result in results:
        key = checked.keys.get(result.row)
        if key is None:
            continue
        status, post_id, problem = stored[key]
        if first_row.setdefault(key, result.row) != result.row and status == "created":
            status = "existing"  # the same row twice in one upload: one post
        result.status, result.id = status, post_id
        if problem:
            result.status, result.id = "invalid", None
            result.violations = [{"field": EXTERNAL_ID, "message": problem}]
    counts = {s: sum(1 for r in results if r.status == s) for s in ("created", "existing", "invalid")}
    return BulkResult(results=results, **counts)


async def _post(
    row: dict[str, Any], business_id: int, now: Any, pin_accounts: PinAccounts, allow: Any
) -> bulk_repo.NewPost:
    fields = {k: v for k, v in row.items() if k not in (EXTERNAL_ID, "business_id")}
    digest = hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()
    external = row.get(EXTERNAL_ID)
    key = f"bulk:{external}" if external else f"bulk-row:{digest}"
    if len(key) > 255:
        raise _Invalid([{"field": EXTERNAL_ID, "message": "external_id is longer than 245 characters"}])
    try:
        req: PublishRequest = (
            ScheduleRequest if "scheduled_for" in fields else PublishRequest
        ).model_validate(fields)
    except ValidationError as exc:
        raise _Invalid(
            [
                {"field": ".".join(str(p) for p in e["loc"]) or "row", "message": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None
    try:
        due = resolve_due_time(req, now) if isinstance(req, ScheduleRequest) else None
        targets = await pin_accounts(business_id, build_targets(req, allow), req.account_choices())
    except Problem as exc:
        listed = exc.extensions.get("violations")
        raise _Invalid(listed or [{"field": exc.extensions.get("field"), "message": exc.detail}]) from None
    post_id = str(uuid.uuid4())
    initial = TargetStatus.SCHEDULED if due else TargetStatus.PUBLISHING
    schedule = req if isinstance(req, ScheduleRequest) else None
    event = requested_event(req, post_id=post_id, business_id=business_id, targets=targets, due=due, now=now)
    return bulk_repo.NewPost(
        post_id=post_id,
        key=key,
        digest=digest,
        status=overall_status([initial]).value,
        content=req.content,
        scheduled_for=due,
        timezone=schedule.timezone if schedule else None,
        late_policy=event.late_policy.value,
        targets=new_targets(targets, initial, req.account_choices()),
        event=encode(event, source=SOURCE, event_id=f"requested:{post_id}"),
    )


async def store_chunk(
    conn: asyncpg.Connection, business_id: int, chunk: list[bulk_repo.NewPost], ttl_hours: int
) -> dict[str, Stored]:
    """Stores the chunk's posts whose keys it claims, in the caller's transaction; key -> (created |
    existing | invalid, post id, why the row is refused instead)."""
    known = await bulk_repo.known_keys(conn, business_id, [p.key for p in chunk], ttl_hours)
    fresh = [p for p in chunk if p.key not in known]
    claimed = await bulk_repo.claim_keys(conn, business_id, fresh, ttl_hours) if fresh else set()
    mine = [p for p in fresh if p.key in claimed]
    if mine:
        await bulk_repo.insert_posts(conn, business_id, mine)
    raced = [p.key for p in fresh if p.key not in claimed]
    if raced:
        # A concurrent upload of the same rows committed them first (the claim waited for it):
        # a new statement's snapshot (READ COMMITTED) sees them.
        known |= await bulk_repo.known_keys(conn, business_id, raced, ttl_hours)
    out: dict[str, Stored] = {}
    for p in chunk:
        if p.key in claimed:
            out[p.key] = ("created", p.post_id, None)
        elif p.key in known:
            digest, post_id = known[p.key]
            problem = None if digest == p.digest else "this external_id was already used for a different row"
            out[p.key] = ("existing", post_id, problem)
        else:
            out[p.key] = ("invalid", None, "the row could not be stored; send it again")
    return out

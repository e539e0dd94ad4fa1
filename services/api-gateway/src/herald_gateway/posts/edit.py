"""Editing a post that is not yet due: PATCH /api/v2/posts/{id}.

The gateway checks the edit as it would a new post, keeps what the post will look like in
`post_edits`, and asks the scheduler (PostEditRequested). The scheduler decides with the cancel's
rule; the status store applies the kept edit when PostEdited arrives. The endpoint waits
briefly for that decision after its commit, as a cancel does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import orjson

from herald_common.events import PostEditRequested, PostTarget, encode, utcnow
from herald_common.platforms import Platform
from herald_gateway.auth.caller import Caller
from herald_gateway.posts import repository as repo
from herald_gateway.posts.schemas import EditRequest, TargetStatus
from herald_gateway.posts.validation import checked_target, due_time
from herald_gateway.problems import Conflict, NotFound, Unprocessable

SOURCE = "/herald/api-gateway"
PinAccounts = Callable[[int, list[PostTarget], dict[Platform, str]], Awaitable[list[PostTarget]]]


async def request_edit(
    conn: asyncpg.Connection,
    caller: Caller,
    post_id: str,
    body: EditRequest,
    request_id: str,
    *,
    pin_accounts: PinAccounts,
    allow_media_hosts: frozenset[str] | tuple[str, ...] | list[str],
) -> None:
    """Keeps the checked edit and queues PostEditRequested, in the caller's transaction. The
    caller listens for the scheduler's answer (cancel_waiter) before it commits."""
    post = await repo.get_post(conn, post_id, sorted(caller.business_ids))
    if post is None:
        raise NotFound(f"post {post_id} not found")
    rows = await repo.lock_targets(conn, post_id)
    not_waiting = [f"{t['platform']} is {t['status']}" for t in rows if t["status"] != TargetStatus.SCHEDULED]
    if not_waiting or post["scheduled_for"] is None:
        raise Conflict(
            "only a scheduled post that is not yet due can be edited"
            + (f" ({', '.join(not_waiting)})" if not_waiting else ""),
            post_status=post["status"],
        )
    now = utcnow()
    due = None
    if body.scheduled_for is not None:
        due = due_time(body.scheduled_for, body.timezone, now)
    elif body.timezone is not None:
        raise Unprocessable("timezone is given without scheduled_for", field="timezone")
    targets, choices, accounts = _targets(rows, body, allow_media_hosts)
    targets = await pin_accounts(post["business_id"], targets, choices)
    changes_targets = body.content is not None or bool(body.overrides) or body.targets is not None
    event = PostEditRequested(
        post_id=post_id,
        business_id=post["business_id"],
        request_id=request_id,
        scheduled_for=due,
        targets=tuple(targets) if changes_targets else None,
        requested_at=now,
    )
    await repo.keep_edit(
        conn,
        request_id=request_id,
        post_id=post_id,
        content=body.content,
        scheduled_for=due,
        timezone=body.timezone if due else None,
        targets=orjson.dumps(
            [
                {
                    "platform": t.platform.value,
                    "content": t.content,
                    "media_urls": list(t.media_urls),
                    "first_comment": t.first_comment,
                    "account_id": accounts.get(t.platform.value),
                }
                for t in targets
            ]
            if changes_targets
            else []
        ).decode(),
    )
    await repo.add_to_outbox(conn, [encode(event, source=SOURCE, event_id=f"edit:{request_id}")])


def _targets(
    rows: list[asyncpg.Record], body: EditRequest, allow: frozenset[str] | tuple[str, ...] | list[str]
) -> tuple[list[PostTarget], dict[Platform, str], dict[str, str | None]]:
    """Each platform's complete new target (stored values, then the edit's) and its account."""
    have = {Platform(t["platform"]) for t in rows}
    if unknown := set(body.overrides) - have:
        raise Unprocessable(
            f"overrides for platforms the post does not have: {', '.join(sorted(p.value for p in unknown))}",
            field="overrides",
        )
    named = {t.platform for t in body.targets or []}
    if body.targets is not None and named != have:
        raise Unprocessable(
            "targets must name the post's platforms exactly (platforms cannot be added or removed by an edit)",
            field="targets",
        )
    choices = {t.platform: t.account_id for t in body.targets or [] if t.account_id is not None}
    targets, accounts = [], {}
    for row in rows:
        platform = Platform(row["platform"])
        o = body.overrides.get(platform)
        content = (
            o.content
            if o and o.content is not None
            else body.content
            if body.content is not None
            else row["content"]
        )
        media = (
            [str(m) for m in o.media_urls]
            if o and o.media_urls is not None
            else orjson.loads(row["media_urls"])
        )
        comment = o.first_comment if o and o.first_comment is not None else row["first_comment"]
        targets.append(checked_target(platform, content, media, comment, allow_media_hosts=allow))
        accounts[platform.value] = choices.get(platform) if body.targets is not None else row["account_id"]
    if body.targets is None:
        # Unchanged accounts: the event must still carry them (the target is replaced whole).
        choices = {Platform(p): a for p, a in accounts.items() if a is not None}
    return targets, choices, accounts

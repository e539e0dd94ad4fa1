"""Re-driving failed or missed platforms of a post with a new attempt.

The scheduler owns the timers: the gateway asks it (PostManualRetryRequested, naming the attempt
that failed) to send the platform a new due event now. Nothing is re-posted that is already live: the
publishers' ledger skips every part it recorded as published. The platform shows `publishing`
at once, so a second retry of the same attempt is a 409, not a second request."""

from __future__ import annotations

import asyncpg

from herald_common.events import PostManualRetryRequested, encode, utcnow
from herald_common.platforms import Platform
from herald_common.poststatus import overall_status
from herald_gateway.auth.caller import Caller
from herald_gateway.events import repository as changes
from herald_gateway.posts import repository as repo
from herald_gateway.posts.schemas import TargetStatus
from herald_gateway.problems import Conflict, NotFound, Unprocessable

SOURCE = "/herald/api-gateway"
RETRYABLE = frozenset({TargetStatus.FAILED, TargetStatus.MISSED})
RETRY_EVENT = PostManualRetryRequested.ce_type


async def retry(
    conn: asyncpg.Connection, caller: Caller, post_id: str, platforms: list[Platform] | None
) -> list[str]:
    """The platforms re-driven. Raises 404 (not this caller's post), 422 (a platform the post does
    not have), 409 (nothing named is failed or missed). Runs in the caller's transaction."""
    post = await repo.get_post(conn, post_id, sorted(caller.business_ids))
    if post is None:
        raise NotFound(f"post {post_id} not found")
    targets = {t["platform"]: t for t in await repo.lock_targets(conn, post_id)}
    named = [p.value for p in platforms] if platforms else list(targets)
    if unknown := [p for p in named if p not in targets]:
        raise Unprocessable(f"the post has no {', '.join(unknown)} target", field="platforms")
    chosen = [p for p in named if TargetStatus(targets[p]["status"]) in RETRYABLE]
    if not chosen or (platforms and len(chosen) < len(named)):
        states = ", ".join(f"{p} is {targets[p]['status']}" for p in named)
        raise Conflict(f"only failed or missed platforms can be retried ({states})")
    now, records = utcnow(), []
    for platform in chosen:
        failed_attempt = max(targets[platform]["attempts"], 1)
        event = PostManualRetryRequested(
            post_id=post_id,
            business_id=post["business_id"],
            platform=Platform(platform),
            attempt=failed_attempt,
            requested_at=now,
        )
        records.append(
            encode(event, source=SOURCE, event_id=f"manual-retry:{post_id}:{platform}:{failed_attempt}")
        )
        await repo.update_target(
            conn,
            post_id,
            platform,
            status=TargetStatus.PUBLISHING.value,
            attempts=failed_attempt + 1,
            reason=None,
            error_code=None,
            reauth_required=False,
            next_attempt_at=now,
        )
    await repo.add_to_outbox(conn, records)
    statuses = [TargetStatus(t["status"]) for t in await repo.get_targets(conn, [post_id])]
    overall = overall_status(statuses)
    await repo.set_post_status(conn, post_id, overall)
    await changes.record_change(
        conn,
        business_id=post["business_id"],
        post_id=post_id,
        post_status=overall.value,
        changed=[(p, TargetStatus.PUBLISHING.value) for p in chosen],
        event_type=RETRY_EVENT,
    )
    return chosen

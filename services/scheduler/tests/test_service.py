"""Decisions on requests, against a real PostgreSQL: redelivery, cancel answers, retries."""

from __future__ import annotations

import json

import asyncpg
import pytest

from herald_common.events import PostCancelRequested, PostRetryRequested, utcnow
from herald_common.platforms import Platform
from herald_common.testing import unique
from herald_scheduler.model import LeaseTerms
from herald_scheduler.service import Outcome, SchedulingService

from .conftest import in_seconds, post

pytestmark = pytest.mark.infra
SERVICE = SchedulingService(LeaseTerms("me", ttl_seconds=30, horizon_seconds=5), 300)


async def handle(pool: asyncpg.Pool, *requests: object) -> Outcome:
    async with pool.acquire() as conn, conn.transaction():
        return await SERVICE.handle(conn, list(requests), utcnow())  # type: ignore[arg-type]


def types(outcome: Outcome) -> list[str]:
    return [r.headers["ce_type"].split(".")[-2] for r in outcome.records]


def answer(outcome: Outcome) -> dict[str, object]:
    data = json.loads(outcome.records[0].value)
    return {k: data[k] for k in ("request_id", "platforms")}


def cancel(post_id: str, request_id: str) -> PostCancelRequested:
    return PostCancelRequested(post_id=post_id, business_id=7, request_id=request_id, requested_at=utcnow())


async def test_rows_due_within_the_horizon_are_leased_to_us_and_the_rest_wait(pool: asyncpg.Pool) -> None:
    soon, later = unique("soon"), unique("later")
    outcome = await handle(
        pool, post(soon, Platform.LINKEDIN, Platform.TWITTER), post(later, at=in_seconds(60))
    )
    assert sorted(r.key for r in outcome.armed) == [(soon, "linkedin"), (soon, "twitter")]
    assert types(outcome) == ["scheduled", "scheduled"]
    states = {
        (r["post_id"], r["platform"]): (r["state"], r["lease_owner"])
        for r in await pool.fetch("SELECT * FROM schedules")
    }
    assert states[(later, "twitter")] == ("pending", None)
    assert states[(soon, "twitter")] == ("leased", "me")


async def test_a_redelivered_request_changes_nothing_and_says_scheduled_again_with_the_same_id(
    pool: asyncpg.Pool,
) -> None:
    post_id = unique("p")
    first = await handle(pool, post(post_id, at=in_seconds(60)))
    await pool.execute("UPDATE schedules SET state = 'sent'")
    again = await handle(pool, post(post_id, at=in_seconds(60)), post(post_id, at=in_seconds(60)))
    assert again.armed == []
    assert [r.headers["ce_id"] for r in again.records] == [first.records[0].headers["ce_id"]]
    assert await pool.fetchval("SELECT state FROM schedules") == "sent"


async def test_a_redelivered_cancel_gets_the_same_answer(pool: asyncpg.Pool) -> None:
    post_id = unique("p")
    await handle(pool, post(post_id, Platform.FACEBOOK, at=in_seconds(60)))
    first = await handle(pool, cancel(post_id, "r1"))
    again = await handle(pool, cancel(post_id, "r1"))
    assert answer(first) == answer(again) == {"request_id": "r1", "platforms": ["facebook"]}
    assert first.records[0].headers["ce_id"] == again.records[0].headers["ce_id"] == "cancel-answer:r1"
    other = await handle(pool, cancel(post_id, "r2"))  # a second cancel of a cancelled post: nothing left
    assert types(other) == ["cancelled"]
    assert answer(other) == {"request_id": "r2", "platforms": []}


async def test_a_tombstoned_post_is_stored_cancelled_and_not_announced(pool: asyncpg.Pool) -> None:
    post_id = unique("p")
    assert types(await handle(pool, cancel(post_id, "r1"))) == ["cancelled"]
    outcome = await handle(pool, post(post_id))
    assert (outcome.armed, outcome.records) == ([], [])
    assert await pool.fetchval("SELECT state FROM schedules") == "cancelled"


async def test_a_retry_re_arms_only_the_failed_attempt_of_a_dispatched_row(pool: asyncpg.Pool) -> None:
    post_id = unique("p")
    await handle(pool, post(post_id, at=in_seconds(60)))

    def retry(attempt: int) -> PostRetryRequested:
        return PostRetryRequested(
            post_id=post_id,
            business_id=7,
            platform=Platform.TWITTER,
            attempt=attempt,
            not_before=in_seconds(120),
            reason="503",
        )

    assert (await handle(pool, retry(1))).records == []  # not dispatched yet: nothing to retry
    await pool.execute("UPDATE schedules SET state = 'sent'")
    assert types(await handle(pool, retry(3))) == []
    assert types(await handle(pool, retry(1))) == ["retry-scheduled"]
    assert types(await handle(pool, retry(1))) == []
    row = await pool.fetchrow("SELECT state, attempt FROM schedules")
    assert (row["state"], row["attempt"]) == ("pending", 2)

"""The scheduler as a service: requests in on Kafka, due and lifecycle events out (real Kafka, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from herald_common.events import (
    LatePolicy,
    PostCancelled,
    PostCancelRefused,
    PostCancelRequested,
    PostDispatched,
    PostDue,
    PostMissed,
    PostScheduled,
    encode,
    topics,
    utcnow,
)
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique

from .conftest import Requests, Watcher, in_seconds, post

pytestmark = [pytest.mark.infra, pytest.mark.usefixtures("app")]
# Cancel-after-dispatch and retries are tested in test_engine.py, without the consumer: a `make dev`
# stack on the same Kafka has publishers that answer this test's due events with retry requests.


async def test_an_immediate_post_is_due_at_once_on_each_platforms_topic(
    requests: Requests, watcher: Watcher
) -> None:
    post_id = unique("now")
    sent = post(post_id, Platform.LINKEDIN, Platform.TWITTER, thread_numbering=True)
    await requests.send(sent)
    await eventually(lambda: len(watcher.due(post_id)) == 2, timeout=10)
    by_topic = {s.topic: s for s in watcher.due(post_id)}
    assert set(by_topic) == {"herald.post.due.linkedin.v1", "herald.post.due.twitter.v1"}
    twitter = by_topic["herald.post.due.twitter.v1"]
    assert twitter.envelope is not None
    due: PostDue = twitter.envelope.data
    assert twitter.envelope.id == f"due:{post_id}:twitter:1"
    assert twitter.envelope.source == "/herald/scheduler"
    assert due.target == sent.targets[1]
    assert (due.attempt, due.business_id, due.thread_numbering, due.publish_by) == (1, 7, True, None)
    assert due.due_at == due.scheduled_for
    assert twitter.received - due.due_at.timestamp() < 1.0
    await eventually(lambda: len(watcher.lifecycle(post_id, PostDispatched)) == 2)
    (scheduled,) = watcher.lifecycle(post_id, PostScheduled)
    assert set(scheduled.platforms) == {Platform.LINKEDIN, Platform.TWITTER}


async def test_a_scheduled_post_is_due_not_before_its_time_and_soon_after(
    requests: Requests, watcher: Watcher
) -> None:
    post_id = unique("later")
    at = in_seconds(2)
    await requests.send(post(post_id, Platform.FACEBOOK, at=at))
    await eventually(lambda: watcher.lifecycle(post_id, PostScheduled))
    assert watcher.due(post_id) == []
    await eventually(lambda: watcher.due(post_id), timeout=10)
    (seen,) = watcher.due(post_id)
    assert seen.envelope is not None
    assert seen.envelope.data.scheduled_for == at
    lateness = seen.received - at.timestamp()
    assert 0 <= lateness < 0.25


async def states(pool: asyncpg.Pool, post_id: str) -> dict[str, str]:
    return dict(await pool.fetch("SELECT platform, state FROM schedules WHERE post_id = $1", post_id))


async def test_cancel_before_due_wins_and_no_due_event_ever_comes(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    post_id, marker = unique("cancel"), unique("marker")
    await requests.send(post(post_id, Platform.LINKEDIN, Platform.INSTAGRAM, at=in_seconds(1.5)))
    await requests.send(post(marker, Platform.LINKEDIN, at=in_seconds(2.0)))
    await requests.send(
        PostCancelRequested(post_id=post_id, business_id=7, request_id="r1", requested_at=utcnow())
    )
    await eventually(lambda: watcher.lifecycle(post_id, PostCancelled))
    (answer,) = watcher.lifecycle(post_id, PostCancelled)
    assert answer.request_id == "r1"
    assert set(answer.platforms) == {Platform.LINKEDIN, Platform.INSTAGRAM}
    # The marker is due after it: once the marker is out, the cancelled post's instant has passed,
    # and its rows, still cancelled, never won the fire-time compare-and-set.
    await eventually(lambda: watcher.due(marker), timeout=10)
    assert await states(pool, post_id) == {"linkedin": "cancelled", "instagram": "cancelled"}
    assert watcher.due(post_id) == []


async def test_a_cancel_that_overtakes_its_post_leaves_a_tombstone(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    post_id = unique("tomb")
    await requests.send(
        PostCancelRequested(post_id=post_id, business_id=7, request_id="r3", requested_at=utcnow())
    )
    (answer,) = await eventually(lambda: watcher.lifecycle(post_id, PostCancelled))
    assert answer.platforms == ()
    await requests.send(post(post_id))
    # stored cancelled in the transaction that stored it: never leased, so never fired
    assert await eventually(lambda: states(pool, post_id)) == {"twitter": "cancelled"}
    assert watcher.due(post_id) == []


async def test_a_redelivered_post_request_still_gives_one_due_event(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    post_id = unique("again")
    sent = post(post_id, at=in_seconds(0.5))
    for _ in range(3):
        await requests.send(sent, event_id="same-request")
    await eventually(lambda: watcher.due(post_id), timeout=10)
    await eventually(lambda: watcher.lifecycle(post_id, PostDispatched))
    await requests.send(sent, event_id="same-request")  # and once more after it was sent
    # A cancel after it, on the same partition: its answer means every copy before it was handled.
    await requests.send(
        PostCancelRequested(post_id=post_id, business_id=7, request_id=unique("r"), requested_at=utcnow())
    )
    await eventually(lambda: watcher.lifecycle(post_id, PostCancelRefused), timeout=10)
    assert await states(pool, post_id) == {"twitter": "sent"}
    assert len(watcher.due(post_id)) == 1


async def test_late_policy_skip_past_grace_is_missed_and_publish_still_goes(
    requests: Requests, watcher: Watcher, pool: asyncpg.Pool
) -> None:
    skipped, published = unique("skip"), unique("publish")
    await requests.send(post(skipped, at=in_seconds(-60), late_policy=LatePolicy.SKIP, grace_seconds=10))
    await requests.send(post(published, at=in_seconds(-60), late_policy=LatePolicy.PUBLISH))
    (missed,) = await eventually(lambda: watcher.lifecycle(skipped, PostMissed))
    assert missed.platform == Platform.TWITTER
    await eventually(lambda: watcher.due(published))
    # PostMissed follows the compare-and-set that made the row missed: it can never fire after that
    assert await states(pool, skipped) == {"twitter": "missed"}
    assert watcher.due(skipped) == []


async def test_skip_within_grace_goes_out_with_its_publish_by(requests: Requests, watcher: Watcher) -> None:
    post_id = unique("grace")
    at = in_seconds(-5)
    await requests.send(post(post_id, at=at, late_policy=LatePolicy.SKIP, grace_seconds=60))
    (seen,) = await eventually(lambda: watcher.due(post_id))
    assert seen.envelope.data.publish_by.timestamp() == pytest.approx(at.timestamp() + 60)


async def test_malformed_and_wrong_type_records_are_dead_lettered_and_the_consumer_goes_on(
    requests: Requests, watcher: Watcher
) -> None:
    bad, wrong, good = unique("bad"), unique("wrong"), unique("good")
    await requests.send_raw(
        b'{"post_id": "' + bad.encode() + b'"}',
        bad.encode(),
        {
            "ce_specversion": b"1.0",
            "ce_id": b"x",
            "ce_source": b"/t",
            "ce_type": b"com.herald.post.requested.v1",
        },
    )
    due_on_wrong_topic = encode(
        PostDue(
            post_id=wrong,
            business_id=7,
            target=post(wrong).targets[0],
            scheduled_for=utcnow(),
            due_at=utcnow(),
        ),
        source="/herald/tests",
    )
    await requests.send_raw(
        due_on_wrong_topic.value,
        wrong.encode(),
        {k: v.encode() for k, v in due_on_wrong_topic.headers.items()},
    )
    await requests.send(post(good))
    await eventually(lambda: watcher.due(good), timeout=10)
    await eventually(lambda: watcher.dead_letters(bad.encode()) and watcher.dead_letters(wrong.encode()))
    reason: Any = watcher.dead_letters(wrong.encode())[0].headers["herald_dlq_reason"]
    assert b"does not belong on" in reason
    assert watcher.due(wrong) == []


@pytest.mark.parametrize("topic", [topics.POST_REQUESTS, topics.POST_LIFECYCLE])
async def test_each_consumer_commits_after_handling_never_automatically(app: Any, topic: str) -> None:
    """The commit rule, read from the live consumers: no auto-commit, and an error seeks back."""
    (subscriber,) = [s for s in app.state.infra.broker.subscribers if topic in s.topic_names]
    assert subscriber.consumer is not None
    assert subscriber.consumer._enable_auto_commit is False
    assert subscriber.ack_policy.value == "nack_on_error"

"""Deciding a run of consecutive cancel requests in a few statements, whatever its length: one flip
of every open row of the run's posts, one read of what is left, one insert of the answers. Each
answer is the one the cancels would get one by one, in order: a post's first cancel in the run
gets the platforms it flipped; a later one finds them cancelled already."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from herald_common.events import CancelRefusalReason, KafkaRecord, PostCancelRequested
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler.metrics import CANCELS
from herald_scheduler.model import State

REFUSED = repo.CancelAnswer("refused", [], CancelRefusalReason.ALREADY_DISPATCHED.value)


def decide(first: bool, flipped: list[str] | None, states: list[str] | None) -> repo.CancelAnswer:
    """`states` are the post's row states after the flip."""
    if first and flipped:
        return repo.CancelAnswer("cancelled", flipped, None)
    if not states:
        # Never seen: the cancel overtook its post. Remember it, so the post is stored cancelled.
        return repo.CancelAnswer("cancelled", [], None, tombstone=True)
    if all(s == State.CANCELLED for s in states):
        return repo.CancelAnswer("cancelled", [], None)
    return REFUSED


async def cancel_run(conn: repo.Conn, run: Sequence[PostCancelRequested], now: datetime) -> list[KafkaRecord]:
    answers = {
        rid: repo.CancelAnswer(r["outcome"], list(r["platforms"]), r["reason"])
        for rid, r in (await repo.previous_cancel_answers(conn, [c.request_id for c in run])).items()
    }
    fresh = [c for c in run if c.request_id not in answers]
    if fresh:
        post_ids = list(dict.fromkeys(c.post_id for c in fresh))
        flipped = await repo.cancel_open_rows(conn, post_ids)
        states = await repo.row_states(conn, post_ids)
        decided: list[tuple[str, str, repo.CancelAnswer]] = []
        answered_posts: set[str] = set()
        for c in fresh:
            if c.request_id in answers:  # the same request twice in one run
                continue
            answer = decide(c.post_id not in answered_posts, flipped.get(c.post_id), states.get(c.post_id))
            answered_posts.add(c.post_id)
            answers[c.request_id] = answer
            decided.append((c.request_id, c.post_id, answer))
            CANCELS.labels(answer.reason or answer.outcome).inc()
        await repo.record_cancel_answers(conn, decided)
    return [_record(c, answers[c.request_id], now) for c in run]


def _record(c: PostCancelRequested, answer: repo.CancelAnswer, now: datetime) -> KafkaRecord:
    """Redelivered: the same answer again, same event id."""
    if answer.outcome == "cancelled":
        return messages.cancelled(c.post_id, c.business_id, c.request_id, answer.platforms, now)
    reason = CancelRefusalReason(answer.reason)
    return messages.cancel_refused(c.post_id, c.business_id, c.request_id, reason, now)

"""Deciding an edit (new due time and/or new targets) with the cancel's rule: the edit applies when
none of the post's rows has fired, to all of them at once; otherwise it is refused. The caller
locked the post's open rows first thing in the transaction (and the engine holds the post's due
rows meanwhile). An applied edit raises each row's version, so the CAS of a timer armed before it
(whose due event holds the old text or time) loses, and the timer armed for the edited row fires."""

from __future__ import annotations

from datetime import datetime

from herald_common.events import EditRefusalReason, KafkaRecord, PostEditRequested
from herald_scheduler import messages
from herald_scheduler import repository as repo
from herald_scheduler.metrics import EDITS
from herald_scheduler.model import Lease, Schedule, State


def refusal(states: list[str] | None) -> EditRefusalReason:
    if not states:
        return EditRefusalReason.NOT_FOUND
    if all(s == State.CANCELLED for s in states):
        return EditRefusalReason.CANCELLED
    return EditRefusalReason.ALREADY_DISPATCHED


async def edit(
    conn: repo.Conn, req: PostEditRequested, now: datetime, lease: Lease
) -> tuple[KafkaRecord, list[Schedule]]:
    """The answer to produce after the commit, and the rows leased to us to arm in place of the old."""
    previous = await repo.previous_edit_answer(conn, req.request_id)
    if previous is not None:  # redelivered: the same answer, nothing changed again
        return _answer(req, previous, now), []
    rows = await repo.edit_open_rows(conn, req, lease)
    if rows:
        answer = repo.EditAnswer("edited", None, rows[0]["due_at"], sorted(r["platform"] for r in rows))
    else:
        states = (await repo.row_states(conn, [req.post_id])).get(req.post_id)
        answer = repo.EditAnswer("refused", refusal(states).value, None, [])
    await repo.record_edit_answer(conn, req.request_id, req.post_id, answer)
    EDITS.labels(answer.reason or answer.outcome).inc()
    armed = [repo.to_schedule(r) for r in rows if r["state"] == State.LEASED]
    return _answer(req, answer, now), armed


def _answer(req: PostEditRequested, answer: repo.EditAnswer, now: datetime) -> KafkaRecord:
    if answer.outcome == "edited" and answer.due_at is not None:
        return messages.edited(
            req.post_id, req.business_id, req.request_id, answer.due_at, answer.platforms, now
        )
    reason = EditRefusalReason(answer.reason or EditRefusalReason.NOT_FOUND.value)
    return messages.edit_refused(req.post_id, req.business_id, req.request_id, reason, now)

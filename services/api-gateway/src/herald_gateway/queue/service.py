"""Posting queues: each account's weekly slots, what fills them, and taking the next free one."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import orjson

from herald_common.accounts.model import AccountSummary
from herald_common.accounts.store import AccountStore
from herald_common.events import utcnow
from herald_common.platforms import Platform
from herald_gateway.auth.caller import Caller
from herald_gateway.posts.transactions import Db
from herald_gateway.problems import NotFound, Unprocessable
from herald_gateway.queue import repository as repo
from herald_gateway.queue.schemas import QueueEntry, QueueSchedule, QueueView, SlotIn
from herald_gateway.queue.slots import WEEKDAYS, Slot, upcoming

LOOKAHEAD = 2000
"""Slot instants examined for a free one (at 21 slots a week: almost two years)."""


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Unprocessable(
            f"timezone {name!r} is not an IANA time zone name (e.g. Europe/Paris)", field="timezone"
        ) from None


def slots_of(stored: str) -> list[Slot]:
    """The stored jsonb (asyncpg returns it as text)."""
    return [Slot(WEEKDAYS.index(s["weekday"]), time.fromisoformat(s["time"])) for s in orjson.loads(stored)]


class QueueService:
    def __init__(self) -> None:
        self.accounts: AccountStore | None = None

    async def _account(self, caller: Caller, account_id: str) -> AccountSummary:
        found = await self.accounts.find(account_id, sorted(caller.business_ids)) if self.accounts else None
        if found is None:
            raise NotFound(f"account {account_id} not found")
        return found

    async def set_slots(self, db: Db, caller: Caller, account_id: str, body: QueueSchedule) -> None:
        account = await self._account(caller, account_id)
        zone_of(body.timezone)
        await repo.save_schedule(
            db, account.id, account.business_id, body.timezone, [s.model_dump() for s in body.slots]
        )

    async def view(self, db: Db, caller: Caller, account_id: str, count: int = 10) -> QueueView:
        account = await self._account(caller, account_id)
        stored = (await repo.schedules(db, [account.id])).get(account.id)
        if stored is None:
            raise NotFound(
                f"account {account_id} has no posting slots (PUT /api/v2/accounts/{account_id}/slots)"
            )
        now = utcnow()
        instants = list(islice(upcoming(slots_of(stored["slots"]), zone_of(stored["timezone"]), now), count))
        held = await repo.claims(db, account.id, now, instants[-1]) if instants else {}
        return QueueView(
            account_id=account.id,
            timezone=stored["timezone"],
            slots=[SlotIn(**s) for s in orjson.loads(stored["slots"])],
            upcoming=[QueueEntry(at=i, post_id=held.get(i)) for i in instants],
        )

    async def take_next(
        self,
        conn: asyncpg.Connection,
        business_id: int,
        platforms: list[Platform],
        choices: dict[Platform, str],
        post_id: str,
    ) -> datetime:
        """The next instant free on every target account (a slot of each), held for this post in the
        caller's transaction (the post's own)."""
        if self.accounts is None:
            raise Unprocessable("queued posts need connected accounts with posting slots", field="queue")
        account_ids = []
        for platform in platforms:
            chosen = choices.get(platform)
            account = (
                await self.accounts.find(chosen, [business_id])
                if chosen
                else await self.accounts.default_for(business_id, platform)
            )
            if account is None:
                raise Unprocessable(f"{platform.value}: no connected account to queue on", field="queue")
            account_ids.append(account.id)
        stored = await repo.schedules(conn, account_ids)
        if missing := [a for a in account_ids if a not in stored]:
            raise Unprocessable(
                f"account {missing[0]} has no posting slots (PUT /api/v2/accounts/{missing[0]}/slots)",
                field="queue",
                account_id=missing[0],
            )
        plans = [(slots_of(stored[a]["slots"]), zone_of(stored[a]["timezone"])) for a in account_ids]
        now = utcnow()
        first, *others = plans
        for instant in islice(upcoming(*first, now), LOOKAHEAD):
            shared = all(
                next(upcoming(*plan, instant - timedelta(microseconds=1))) == instant for plan in others
            )
            if shared and await repo.try_take(conn, account_ids, instant, post_id):
                return instant
        raise Unprocessable(
            "no free slot shared by the target accounts in the queue's horizon", field="queue"
        )

"""Publishes one due (post, platform): every part exactly once, resuming where an attempt stopped.

Before each platform call a 'calling' row is committed to the ledger; after the answer it
becomes 'succeeded' (or is removed when the platform said no). A 'calling' row found later
means the answer was lost, so the platform is searched before the part is sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

import asyncpg

from herald_common.events import (
    Event,
    PostDue,
    PostMissed,
    PostPartiallyPublished,
    PostPublished,
    PostPublishFailed,
    PostRetryRequested,
    PublishedPart,
    encode,
    utcnow,
)
from herald_common.kafka.deadletter import dead_letter_record
from herald_common.kafka.producer import Producer
from herald_common.logs import get_logger
from herald_common.platforms import Platform
from herald_common.publishing import ledger
from herald_common.publishing.accounts import Account, AccountResolver
from herald_common.publishing.backoff import next_attempt_at
from herald_common.publishing.client import PartRequest, PlatformClient
from herald_common.publishing.metrics import ATTEMPTS, RATE_LIMIT_WAITS, RETRIES
from herald_common.publishing.outcomes import (
    CreatedObject,
    DuplicateContent,
    PermanentError,
    PlatformError,
    ReauthRequired,
    RetryableError,
)
from herald_common.publishing.parts import distinct_continuation
from herald_common.publishing.settings import PublisherSettings

log = get_logger(__name__)
# How far before a lost call's start the platform is searched (clock skew between us and them).
RECONCILE_SLACK = timedelta(minutes=2)
# Platforms remember recent texts for a day or two when they refuse duplicates.
DUPLICATE_WINDOW = timedelta(hours=48)
T = TypeVar("T")


@dataclass
class _Session:
    """The account one due event publishes with; refreshed at most once per due event."""

    account: Account
    refreshed: bool = False


class PublishService:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: Producer,
        clients: Mapping[Platform, PlatformClient],
        settings: PublisherSettings,
        accounts: AccountResolver,
    ) -> None:
        self.pool, self.producer, self.clients, self.settings = pool, producer, clients, settings
        self.accounts = accounts
        self.source = f"/herald/{settings.service_name}"

    async def handle(self, due: PostDue, event_id: str) -> None:
        platform = due.target.platform
        if due.publish_by is not None and utcnow() > due.publish_by:
            await self._emit(
                PostMissed(
                    post_id=due.post_id,
                    business_id=due.business_id,
                    platform=platform,
                    due_at=due.due_at,
                    occurred_at=utcnow(),
                    reason="received after the grace period (late_policy=skip)",
                )
            )
            return
        # The lock is the connection's: the pool's reset releases it when the connection goes back
        # (db.pool, also on cancellation), so no unlock statement of its own.
        async with self.pool.acquire() as conn:
            if not await ledger.try_lock(conn, due.post_id, platform.value):
                log.info("another worker is publishing this post; dropping the duplicate due event")
                return
            try:
                account = await self.accounts.resolve(due.business_id, platform, due.target.account_id)
                result = await self._publish_parts(conn, due, _Session(account))
            except RetryableError as exc:
                await self._retry_or_give_up(conn, due, event_id, exc)
                return
            except PermanentError as exc:
                ATTEMPTS.labels(platform.value, "failed").inc()
                await self._emit(await self._failure(conn, due, exc, exc.reason))
                return
        ATTEMPTS.labels(platform.value, "published").inc()
        parts = tuple(
            PublishedPart(index=i, platform_post_id=o.platform_post_id, url=o.url)
            for i, o in enumerate(result)
        )
        await self._emit(
            PostPublished(
                post_id=due.post_id,
                business_id=due.business_id,
                platform=platform,
                attempt=due.attempt,
                parts=parts,
                occurred_at=utcnow(),
            )
        )

    async def _publish_parts(
        self, conn: asyncpg.Connection, due: PostDue, session: _Session
    ) -> list[CreatedObject]:
        client = self.clients[due.target.platform]
        platform = due.target.platform.value
        known = await ledger.rows(conn, due.post_id, platform)
        created: list[CreatedObject] = []
        plan = self._plan(due)
        thread_size = sum(1 for _, kind in plan if kind != "comment")
        for index, (text, kind) in enumerate(plan):
            part = PartRequest(
                post_id=due.post_id,
                business_id=due.business_id,
                target=due.target,
                index=index,
                text=text,
                media_urls=due.target.media_urls if index == 0 else (),
                kind=kind,
                parent=created[-1]
                if created and kind == "continuation"
                else (created[0] if created else None),
                root=created[0] if created else None,
                account=session.account,
            )
            created.append(
                await self._publish_part(
                    conn, client, part, known.get(index), due.attempt, session, thread_size
                )
            )
        return created

    async def _publish_part(
        self,
        conn: asyncpg.Connection,
        client: PlatformClient,
        part: PartRequest,
        row: asyncpg.Record | None,
        attempt: int,
        session: _Session,
        thread_size: int,
    ) -> CreatedObject:
        platform = client.platform.value
        if row is not None and row["state"] == "succeeded":
            return CreatedObject(row["platform_post_id"], row["url"])

        def find(since: datetime) -> Callable[[Account], Awaitable[CreatedObject | None]]:
            return lambda account: client.find(replace(part, account=account), since=since)

        if row is not None and row["state"] == "calling":
            found = await self._authorised(session, find(row["started_at"] - RECONCILE_SLACK))
            if found is not None:
                log.info("reconciled a part whose answer was lost", extra={"part": part.index})
                await ledger.succeed(conn, part.post_id, platform, part.index, found)
                return found
        await ledger.start(conn, part.post_id, platform, part.index, attempt, _digest(part.text))
        try:
            created = await self._authorised(
                session, lambda account: client.publish(replace(part, account=account))
            )
        except DuplicateContent as exc:
            found = await self._authorised(session, find(utcnow() - DUPLICATE_WINDOW))
            if found is None:
                await ledger.forget(conn, part.post_id, platform, part.index)
                distinct = self._distinct(client, part, thread_size)
                if distinct is not None:
                    # A continuation that repeats an earlier post (often an earlier part of this
                    # very thread): send it marked with its place in the thread, once.
                    log.info(
                        "continuation refused as a duplicate; sending it marked", extra={"part": part.index}
                    )
                    return await self._publish_part(conn, client, distinct, None, attempt, session, 0)
                raise PermanentError(
                    f"{exc.reason} (and no matching post of this account was found)", code=exc.code
                ) from exc
            log.info(
                "platform reported a duplicate of our own earlier post; reconciled",
                extra={"part": part.index},
            )
            created = found
        except RetryableError as exc:
            if not exc.maybe_created:
                await ledger.forget(conn, part.post_id, platform, part.index)
            raise
        except PermanentError:
            await ledger.forget(conn, part.post_id, platform, part.index)
            raise
        await ledger.succeed(conn, part.post_id, platform, part.index, created)
        return created

    @staticmethod
    def _distinct(client: PlatformClient, part: PartRequest, thread_size: int) -> PartRequest | None:
        """The marked version of a refused continuation; None for other parts, for a part already
        marked (thread_size 0), or when the mark would not fit."""
        if part.kind != "continuation" or thread_size < 2:
            return None
        text = distinct_continuation(client.platform, part.text, part.index, thread_size)
        return replace(part, text=text) if text is not None else None

    async def _authorised(self, session: _Session, call: Callable[[Account], Awaitable[T]]) -> T:
        """Make a platform call; when the platform rejects the token, ask for a refreshed account
        once per due event and repeat the call with it (401 means nothing was created)."""
        try:
            return await call(session.account)
        except ReauthRequired:
            if session.refreshed:
                raise
            session.refreshed = True
            fresh = await self.accounts.refreshed(session.account)
            if fresh is None:
                raise
            log.info("the platform rejected the token; retrying with a refreshed one")
            session.account = fresh
            return await call(fresh)

    async def _retry_or_give_up(
        self, conn: asyncpg.Connection, due: PostDue, event_id: str, exc: RetryableError
    ) -> None:
        platform = due.target.platform
        if exc.rate_limited:
            RATE_LIMIT_WAITS.labels(platform.value).inc()
        if due.attempt >= self.settings.max_attempts:
            ATTEMPTS.labels(platform.value, "failed").inc()
            reason = f"gave up after {due.attempt} attempts: {exc.reason}"
            await self._emit(await self._failure(conn, due, exc, reason))
            await dead_letter_record(
                self.producer, encode(due, source=self.source, event_id=event_id), reason
            )
            return
        ATTEMPTS.labels(platform.value, "retry").inc()
        RETRIES.labels(platform.value).inc()
        when = next_attempt_at(
            utcnow(),
            due.attempt,
            base=self.settings.retry_base_seconds,
            cap=self.settings.retry_cap_seconds,
            retry_after=exc.retry_after,
        )
        log.warning(
            "transient failure; asked the scheduler for another attempt",
            extra={
                "platform": platform.value,
                "attempt": due.attempt,
                "reason": exc.reason,
                "not_before": when.isoformat(),
            },
        )
        await self._emit(
            PostRetryRequested(
                post_id=due.post_id,
                business_id=due.business_id,
                platform=platform,
                attempt=due.attempt,
                not_before=when,
                reason=exc.reason,
            )
        )

    async def _failure(
        self, conn: asyncpg.Connection, due: PostDue, exc: PlatformError, reason: str
    ) -> PostPublishFailed | PostPartiallyPublished:
        """The final word on a post that will not be completed: failed when nothing is live, else
        partially published with the parts that are (a thread that stopped half-way)."""
        live = await ledger.live_parts(conn, due.post_id, due.target.platform.value)
        common = {
            "post_id": due.post_id,
            "business_id": due.business_id,
            "platform": due.target.platform,
            "attempt": due.attempt,
            "reason": reason,
            "error_code": exc.code,
            "reauth_required": isinstance(exc, ReauthRequired),
            "occurred_at": utcnow(),
        }
        if not live:
            return PostPublishFailed(**common)
        parts = tuple(PublishedPart(index=i, platform_post_id=o.platform_post_id, url=o.url) for i, o in live)
        planned = len(self._plan(due))
        return PostPartiallyPublished(parts=parts, planned_parts=max(planned, len(parts) + 1), **common)

    def _plan(self, due: PostDue) -> list[tuple[str, str]]:
        """(text, kind) of every part this platform receives: the thread, then the first comment."""
        texts = self.clients[due.target.platform].split(due.target, due.thread_numbering)
        plan = [(t, "post" if i == 0 else "continuation") for i, t in enumerate(texts)]
        if due.target.first_comment:
            plan.append((due.target.first_comment, "comment"))
        return plan

    async def _emit(self, event: Event) -> None:
        await self.producer.send_all([encode(event, source=self.source)])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]

"""Decisions of the posts API: accept, show, list, edit, retry and cancel posts.

The endpoints own the transactions and pass the connection in; SQL lives in the repositories."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from prometheus_client import Counter
from redis.asyncio import Redis

from herald_common.accounts.store import AccountStore
from herald_common.events import KafkaRecord, PostCancelRequested, PostTarget, encode, utcnow
from herald_common.platforms import Platform
from herald_common.poststatus import FINAL, overall_status
from herald_gateway import idempotency
from herald_gateway.auth.caller import Caller
from herald_gateway.outbox import DirectProducer
from herald_gateway.posts import repository as repo
from herald_gateway.posts.bulk import CheckedRows, Stored, answer, check_rows, store_chunk
from herald_gateway.posts.bulk_repository import NewPost as NewBulkPost
from herald_gateway.posts.bulk_rows import media_type, read_rows
from herald_gateway.posts.edit import request_edit
from herald_gateway.posts.requested import new_targets, requested_event
from herald_gateway.posts.retry import retry as retry_targets
from herald_gateway.posts.schemas import (
    BulkResult,
    CancelOutcome,
    EditOutcome,
    EditRequest,
    Links,
    PostAccepted,
    PostPage,
    PostStatus,
    PostView,
    PublishRequest,
    ScheduleRequest,
    TargetStatus,
)
from herald_gateway.posts.transactions import Db
from herald_gateway.posts.validation import build_targets, resolve_due_time
from herald_gateway.posts.views import decode_cursor, page_of, post_link, view_of
from herald_gateway.problems import Conflict, NotFound, Problem, Unprocessable
from herald_gateway.queue.service import QueueService
from herald_gateway.settings import Settings
from herald_gateway.text_rules import off_the_loop

SOURCE = "/herald/api-gateway"
FINAL_POST_STATUSES = frozenset(
    {
        PostStatus.PUBLISHED,
        PostStatus.PARTIALLY_PUBLISHED,
        PostStatus.FAILED,
        PostStatus.CANCELLED,
        PostStatus.MISSED,
    }
)

POSTS_ACCEPTED = Counter(
    "herald_posts_accepted_total",
    "Posts accepted (202, committed with their outbox event), counted once per target platform",
    ["platform"],
)


@dataclass(frozen=True)
class TooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Request body too large"


@dataclass(frozen=True)
class Created:
    status_code: int
    body: dict[str, Any]


@dataclass(frozen=True)
class NewPost:
    """A create request that passed every check: what its transaction stores."""

    req: PublishRequest
    post_id: str
    business_id: int
    now: datetime
    due: datetime | None
    """None for publish-now, and for a queued post until its transaction takes the next slot."""
    targets: list[PostTarget]
    choices: dict[Platform, str]
    idempotency_key: str | None
    digest: str

    @property
    def queued(self) -> bool:
        return isinstance(self.req, ScheduleRequest) and self.req.queue

    @property
    def one_statement(self) -> bool:
        """Neither a key to claim nor a slot to take: the post, its targets and its outbox row are
        one statement, atomic on its own (the hot path)."""
        return not self.idempotency_key and not self.queued


@dataclass(frozen=True)
class Accepted:
    """A stored post: the answer, and the outbox row to produce once the transaction committed."""

    created: Created
    outbox_id: int
    record: KafkaRecord
    platforms: list[str]


AccountCache = dict[tuple[int, Platform, str], str]


class PostsService:
    def __init__(self, pool: asyncpg.Pool, redis: Redis, settings: Settings, direct: DirectProducer) -> None:
        self.pool = pool
        """The endpoints' transactions come from it; the service only uses what they pass."""
        self.redis, self.settings, self.direct = redis, settings, direct
        self.accounts: AccountStore | None = None
        """Connected accounts (set when token encryption is configured): checks named accounts."""
        self.queue = QueueService()

    async def pin_accounts(
        self,
        business_id: int,
        targets: list[PostTarget],
        choices: dict[Platform, str],
        cache: AccountCache | None = None,
    ) -> list[PostTarget]:
        """Each target under the account the request named: it must be the business's, on that platform.

        The event carries the platform's own account id, which survives a disconnect and reconnect.
        `cache` (a bulk upload's): each named account is looked up once."""
        pinned = []
        for target in targets:
            chosen = choices.get(target.platform)
            if chosen is None:
                pinned.append(target)
                continue
            key = (business_id, target.platform, chosen)
            account_id = cache.get(key) if cache is not None else None
            if account_id is None:
                account_id = await self._connected_account(business_id, target.platform, chosen)
                if cache is not None:
                    cache[key] = account_id
            pinned.append(target.model_copy(update={"account_id": account_id}))
        return pinned

    async def _connected_account(self, business_id: int, platform: Platform, chosen: str) -> str:
        found = await self.accounts.find(chosen, [business_id]) if self.accounts else None
        if found is None or found.platform is not platform:
            raise Unprocessable(
                f"{platform.value}: account {chosen} is not a connected {platform.value}"
                f" account of business {business_id} (see GET /api/v2/accounts)",
                field="targets",
                account_id=chosen,
            )
        return found.account_id

    async def check_create(
        self, db: Db, caller: Caller, req: PublishRequest, *, path: str, idempotency_key: str | None
    ) -> NewPost | Created:
        """The replay of an earlier request with this key (Created), or the checked post to store."""
        business_id = caller.business(req.business_id)
        # A replay is answered before anything else is checked: the retry of a schedule whose answer
        # was lost may arrive after its time has passed, and must still get the post it created.
        digest = idempotency.request_hash(path, req.model_dump(mode="json")) if idempotency_key else ""
        if idempotency_key:
            idempotency.check_key(idempotency_key)
            ttl = self.settings.idempotency_ttl_hours
            if replay := await idempotency.find(db, business_id, idempotency_key, digest, ttl):
                return Created(replay.status_code, replay.body)
        now = utcnow()
        due = resolve_due_time(req, now) if isinstance(req, ScheduleRequest) else None
        # The text rules are CPU work: their own thread runs them so other requests keep flowing.
        choices = req.account_choices()
        targets = await self.pin_accounts(
            business_id,
            await off_the_loop(build_targets, req, self.settings.media_fetch_allow_hosts),
            choices,
        )
        return NewPost(
            req, str(uuid.uuid4()), business_id, now, due, targets, choices, idempotency_key, digest
        )

    async def accept(self, conn: asyncpg.Connection, new: NewPost) -> Accepted:
        """Stores the post, its targets and its outbox event, in the caller's transaction (or as one
        statement when `new.one_statement`). KeyTaken: a twin with the same key committed first."""
        due = new.due
        if new.queued:  # the slot is taken in the post's own transaction
            due = await self.queue.take_next(
                conn, new.business_id, list(new.req.platforms), new.choices, new.post_id
            )
        initial = TargetStatus.SCHEDULED if due else TargetStatus.PUBLISHING
        event = requested_event(
            new.req,
            post_id=new.post_id,
            business_id=new.business_id,
            targets=new.targets,
            due=due,
            now=new.now,
        )
        # Built from values checked above: no second validation on the hot path.
        accepted = PostAccepted.model_construct(
            id=new.post_id,
            status=overall_status([initial]),
            business_id=new.business_id,
            scheduled_for=due,
            platforms=list(new.req.platforms),
            links=Links(self=post_link(new.post_id)),
        )
        record = encode(event, source=SOURCE, event_id=f"requested:{new.post_id}")
        schedule = new.req if isinstance(new.req, ScheduleRequest) else None
        outbox_id = await repo.accept_post(
            conn,
            post_id=new.post_id,
            business_id=new.business_id,
            status=accepted.status,
            content=new.req.content,
            scheduled_for=due,
            timezone=schedule.timezone if schedule else None,
            late_policy=event.late_policy.value,
            targets=new_targets(new.targets, initial, new.choices),
            event=record,
        )
        body = accepted.model_dump(mode="json")
        if new.idempotency_key:
            await idempotency.remember(
                conn,
                new.business_id,
                new.idempotency_key,
                new.digest,
                self.settings.idempotency_ttl_hours,
                idempotency.StoredResponse(202, body),
            )
        return Accepted(Created(202, body), outbox_id, record, [t.platform.value for t in new.targets])

    async def replay_of_twin(self, db: Db, new: NewPost) -> Created:
        """The answer of the concurrent request with the same key that committed first."""
        ttl = self.settings.idempotency_ttl_hours
        replay = await idempotency.find(db, new.business_id, new.idempotency_key or "", new.digest, ttl)
        if replay is None:
            raise idempotency.KeyTaken
        return Created(replay.status_code, replay.body)

    async def produce(self, accepted: Accepted) -> None:
        """After the commit: the event is durable in the outbox. Produce it now; if that fails, the
        relay will."""
        await self.direct.produce(accepted.outbox_id, accepted.record)
        for platform in accepted.platforms:  # committed; an idempotent replay is not a second acceptance
            POSTS_ACCEPTED.labels(platform).inc()

    async def get(self, conn: asyncpg.Connection, caller: Caller, post_id: str) -> PostView:
        """`conn`: a snapshot (transactions.snapshot), so the overall status matches the platforms."""
        post = await repo.get_post(conn, post_id, sorted(caller.business_ids))
        if post is None:
            raise NotFound(f"post {post_id} not found")
        return view_of(post, await repo.get_targets(conn, [post_id]))

    async def list_scheduled(
        self,
        db: Db,
        caller: Caller,
        *,
        business_id: int | None,
        statuses: list[PostStatus] | None,
        due_from: datetime | None,
        due_to: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> PostPage:
        bid = caller.business(business_id)
        rows = await repo.list_scheduled(
            db,
            business_id=bid,
            statuses=[s.value for s in statuses or []],
            due_from=due_from,
            due_to=due_to,
            after=decode_cursor(cursor),
            limit=limit + 1,
        )
        return await page_of(db, rows, limit, "scheduled_for")

    async def list_posts(
        self,
        db: Db,
        caller: Caller,
        *,
        business_id: int | None,
        statuses: list[PostStatus] | None,
        platform: str | None,
        created_from: datetime | None,
        created_to: datetime | None,
        cursor: str | None,
        limit: int,
        text: str | None = None,
    ) -> PostPage:
        """Every post of the business (published now or scheduled), newest first."""
        rows = await repo.list_posts(
            db,
            business_id=caller.business(business_id),
            statuses=[s.value for s in statuses or []],
            platform=platform,
            created_from=created_from,
            created_to=created_to,
            after=decode_cursor(cursor),
            limit=limit + 1,
            text=text,
        )
        return await page_of(db, rows, limit, "created_at")

    async def retry(
        self, conn: asyncpg.Connection, caller: Caller, post_id: str, platforms: list[Platform] | None
    ) -> None:
        """In the caller's transaction: the named (or every) failed or missed platform publishes again."""
        await retry_targets(conn, caller, post_id, platforms)

    async def request_edit(
        self, conn: asyncpg.Connection, caller: Caller, post_id: str, body: EditRequest, request_id: str
    ) -> None:
        """In the caller's transaction: the checked edit is kept and the scheduler asked."""
        await request_edit(
            conn,
            caller,
            post_id,
            body,
            request_id,
            pin_accounts=self.pin_accounts,
            allow_media_hosts=self.settings.media_fetch_allow_hosts,
        )

    def edit_answered(
        self, post_id: str, answer: str | None, post: PostView | None
    ) -> tuple[int, EditOutcome]:
        """The HTTP answer once the scheduler answered ('edited' or why not; `post`: as edited), or not."""
        if answer == "edited":
            return 200, EditOutcome(id=post_id, status="edited", detail="the post was changed", post=post)
        if answer is not None:
            raise Conflict(f"the post can no longer be edited ({answer.replace('_', ' ')})", reason=answer)
        return 202, EditOutcome(
            id=post_id,
            status="edit_requested",
            detail="the scheduler has not answered yet; the edit still applies if it arrives before "
            "the post is due — check the post",
        )

    async def check_bulk(
        self, caller: Caller, business_id: int | None, body: bytes, content_type: str
    ) -> CheckedRows:
        bid = caller.business(business_id)
        rows = read_rows(body, media_type(content_type))
        if len(rows) > self.settings.bulk_max_rows:
            raise TooLarge(f"{len(rows)} rows: one upload takes at most {self.settings.bulk_max_rows}")
        cache: AccountCache = {}

        async def pin(bid: int, targets: list[PostTarget], choices: dict[Platform, str]) -> list[PostTarget]:
            return await self.pin_accounts(bid, targets, choices, cache)

        return await check_rows(
            bid, rows, pin_accounts=pin, allow_media_hosts=self.settings.media_fetch_allow_hosts
        )

    async def store_bulk(
        self, conn: asyncpg.Connection, checked: CheckedRows, chunk: list[NewBulkPost]
    ) -> dict[str, Stored]:
        """In the caller's transaction: one chunk of the upload's posts."""
        return await store_chunk(conn, checked.business_id, chunk, self.settings.idempotency_ttl_hours)

    def bulk_answered(self, checked: CheckedRows, stored: dict[str, Stored]) -> BulkResult:
        """After every chunk committed: each row's answer."""
        result = answer(checked, stored)
        for r in result.results:
            if r.status == "created":
                POSTS_ACCEPTED.labels("bulk").inc()
        return result

    async def request_cancel(
        self, conn: asyncpg.Connection, caller: Caller, post_id: str, request_id: str
    ) -> CancelOutcome | None:
        """In the caller's transaction: queues PostCancelRequested for the scheduler. An outcome
        instead when there is nothing to ask (already cancelled)."""
        post = await repo.get_post(conn, post_id, sorted(caller.business_ids))
        if post is None:
            raise NotFound(f"post {post_id} not found")
        statuses = [TargetStatus(t["status"]) for t in await repo.lock_targets(conn, post_id)]
        current = overall_status(statuses)
        if current is PostStatus.CANCELLED:
            return CancelOutcome(id=post_id, status="cancelled", detail="the post was already cancelled")
        if all(s in FINAL for s in statuses):
            raise Conflict(
                f"the post is already {current.value}; it can no longer be cancelled",
                post_status=current.value,
            )
        event = PostCancelRequested(
            post_id=post_id, business_id=post["business_id"], request_id=request_id, requested_at=utcnow()
        )
        await repo.add_to_outbox(conn, [encode(event, source=SOURCE, event_id=f"cancel:{request_id}")])
        return None

    def cancel_answered(self, post_id: str, answer: str | None) -> tuple[int, CancelOutcome]:
        """The HTTP answer once the scheduler answered ('cancelled' or too late), or not in time."""
        if answer == "cancelled":
            return 200, CancelOutcome(id=post_id, status="cancelled", detail="the post will not be published")
        if answer is not None:
            raise Conflict(
                "the post is already publishing or published; it can no longer be cancelled",
                post_status=PostStatus.PUBLISHING.value,
            )
        return 202, CancelOutcome(
            id=post_id,
            status="cancel_requested",
            detail="the scheduler has not answered yet; the cancel still applies if it "
            "arrives before the post is due — check the post's status",
        )

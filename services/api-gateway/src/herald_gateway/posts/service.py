"""Decisions of the posts API: accept, show, list and cancel posts. SQL lives in the repository."""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import asyncpg
import orjson
from prometheus_client import Counter
from redis.asyncio import Redis

from herald_common.accounts.store import AccountStore
from herald_common.events import KafkaRecord, PostCancelRequested, PostTarget, encode, utcnow
from herald_common.platforms import Platform
from herald_common.poststatus import FINAL, overall_status
from herald_gateway import cancel_waiter, idempotency
from herald_gateway.auth.caller import Caller
from herald_gateway.outbox import DirectProducer
from herald_gateway.posts import repository as repo
from herald_gateway.posts.bulk import accept_rows
from herald_gateway.posts.bulk_rows import media_type, read_rows
from herald_gateway.posts.edit import request_edit
from herald_gateway.posts.requested import requested_event
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
    PublishedPartView,
    PublishRequest,
    ScheduleRequest,
    TargetStatus,
    TargetView,
)
from herald_gateway.posts.validation import build_targets, resolve_due_time
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


class CachedAccounts:
    """Account checks of one bulk upload: each named account is looked up once."""

    def __init__(self, pin: Any) -> None:
        self._pin = pin
        self._seen: dict[tuple[int, str, str], PostTarget] = {}

    async def pin(
        self, business_id: int, targets: list[PostTarget], choices: dict[Platform, str]
    ) -> list[PostTarget]:
        out = []
        for t in targets:
            chosen = choices.get(t.platform)
            if chosen is None:
                out.append(t)
                continue
            key = (business_id, t.platform.value, chosen)
            if key not in self._seen:
                (self._seen[key],) = await self._pin(business_id, [t], {t.platform: chosen})
            out.append(t.model_copy(update={"account_id": self._seen[key].account_id}))
        return out


@dataclass(frozen=True)
class Created:
    status_code: int
    body: dict[str, Any]


def post_link(post_id: str) -> str:
    return f"/api/v2/posts/{post_id}"


class PostsService:
    def __init__(self, pool: asyncpg.Pool, redis: Redis, settings: Settings, direct: DirectProducer) -> None:
        self.pool, self.redis, self.settings, self.direct = pool, redis, settings, direct
        self.accounts: AccountStore | None = None
        """Connected accounts (set when token encryption is configured): checks named accounts."""
        self.queue = QueueService(pool)

    async def pin_accounts(
        self, business_id: int, targets: list[PostTarget], choices: dict[Platform, str]
    ) -> list[PostTarget]:
        """Each target under the account the request named: it must be the business's, on that platform.

        The event carries the platform's own account id, which survives a disconnect and reconnect."""
        pinned = []
        for target in targets:
            chosen = choices.get(target.platform)
            if chosen is None:
                pinned.append(target)
                continue
            found = await self.accounts.find(chosen, [business_id]) if self.accounts else None
            if found is None or found.platform is not target.platform:
                raise Unprocessable(
                    f"{target.platform.value}: account {chosen} is not a connected {target.platform.value}"
                    f" account of business {business_id} (see GET /api/v2/accounts)",
                    field="targets",
                    account_id=chosen,
                )
            pinned.append(target.model_copy(update={"account_id": found.account_id}))
        return pinned

    async def create(
        self, caller: Caller, req: PublishRequest, *, path: str, idempotency_key: str | None
    ) -> Created:
        business_id = caller.business(req.business_id)
        # A replay is answered before anything else is checked: the retry of a schedule whose answer
        # was lost may arrive after its time has passed, and must still get the post it created.
        digest = idempotency.request_hash(path, req.model_dump(mode="json")) if idempotency_key else ""
        ttl = self.settings.idempotency_ttl_hours
        if idempotency_key:
            idempotency.check_key(idempotency_key)
            if replay := await idempotency.find(self.pool, business_id, idempotency_key, digest, ttl):
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

        post_id = str(uuid.uuid4())
        schedule = req if isinstance(req, ScheduleRequest) else None

        def accept(due: datetime | None) -> tuple[dict[str, Any], KafkaRecord, Any]:
            """The answer, the event and the statement storing both (run on a connection or the pool)."""
            initial = TargetStatus.SCHEDULED if due else TargetStatus.PUBLISHING
            event = requested_event(
                req, post_id=post_id, business_id=business_id, targets=targets, due=due, now=now
            )
            # Built from values checked above: no second validation on the hot path.
            accepted = PostAccepted.model_construct(
                id=post_id,
                status=overall_status([initial]),
                business_id=business_id,
                scheduled_for=due,
                platforms=list(req.platforms),
                links=Links(self=post_link(post_id)),
            )
            record = encode(event, source=SOURCE, event_id=f"requested:{post_id}")
            statement = partial(
                repo.accept_post,
                post_id=post_id,
                business_id=business_id,
                status=accepted.status,
                content=req.content,
                scheduled_for=due,
                timezone=schedule.timezone if schedule else None,
                late_policy=event.late_policy.value,
                targets=[
                    repo.NewTarget(
                        t.platform.value,
                        initial,
                        t.content,
                        list(t.media_urls),
                        choices.get(t.platform),
                        t.first_comment,
                    )
                    for t in targets
                ],
                event=record,
            )
            return accepted.model_dump(mode="json"), record, statement

        queued = bool(schedule and schedule.queue)
        try:
            if not idempotency_key and not queued:
                body, record, statement = accept(due)
                outbox_id = await statement(self.pool)  # one statement, atomic by itself: the hot path
            else:
                async with self.pool.acquire() as conn, conn.transaction():
                    if queued:  # the slot is taken in the post's own transaction
                        due = await self.queue.take_next(
                            conn, business_id, list(req.platforms), choices, post_id
                        )
                    body, record, statement = accept(due)
                    outbox_id = await statement(conn)
                    if idempotency_key:
                        await idempotency.remember(
                            conn,
                            business_id,
                            idempotency_key,
                            digest,
                            ttl,
                            idempotency.StoredResponse(202, body),
                        )
        except idempotency.KeyTaken:
            # A concurrent request with the same key committed first: ours rolled back; answer as it did.
            replay = await idempotency.find(self.pool, business_id, idempotency_key or "", digest, ttl)
            if replay is None:
                raise
            return Created(replay.status_code, replay.body)
        # Committed: the event is durable in the outbox. Produce it now; if that fails, the relay will.
        await self.direct.produce(outbox_id, record)
        for target in targets:  # committed; an idempotent replay above is not a second acceptance
            POSTS_ACCEPTED.labels(target.platform.value).inc()
        return Created(202, body)

    async def get(self, caller: Caller, post_id: str) -> PostView:
        # One snapshot for the post and its platforms: the overall status always matches them.
        async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            post = await repo.get_post(conn, post_id, sorted(caller.business_ids))
            if post is None:
                raise NotFound(f"post {post_id} not found")
            targets = await repo.get_targets(conn, [post_id])
        return _view(post, targets)

    async def wait_for_result(self, caller: Caller, post_id: str, timeout: float) -> PostView | None:
        """The post once every platform reached a final state, or None when `timeout` passes first.

        Reads the status store (any replica's lifecycle consumer may apply the result), backing off
        from 20 ms to 250 ms between reads: a published-now post is usually final in tens of ms."""
        loop = asyncio.get_running_loop()
        deadline, pause = loop.time() + timeout, 0.02
        while True:
            view = await self.get(caller, post_id)
            if view.status in FINAL_POST_STATUSES:
                return view
            left = deadline - loop.time()
            if left <= 0:
                return None
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, 0.25)

    async def list_scheduled(
        self,
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
            self.pool,
            business_id=bid,
            statuses=[s.value for s in statuses or []],
            due_from=due_from,
            due_to=due_to,
            after=_decode_cursor(cursor),
            limit=limit + 1,
        )
        return await self._page(rows, limit, "scheduled_for")

    async def list_posts(
        self,
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
            self.pool,
            business_id=caller.business(business_id),
            statuses=[s.value for s in statuses or []],
            platform=platform,
            created_from=created_from,
            created_to=created_to,
            after=_decode_cursor(cursor),
            limit=limit + 1,
            text=text,
        )
        return await self._page(rows, limit, "created_at")

    async def _page(self, rows: list[asyncpg.Record], limit: int, order_column: str) -> PostPage:
        page, more = rows[:limit], len(rows) > limit
        targets = await repo.get_targets(self.pool, [r["id"] for r in page])
        by_post: dict[str, list[asyncpg.Record]] = {}
        for t in targets:
            by_post.setdefault(t["post_id"], []).append(t)
        items = [_view(r, by_post.get(r["id"], [])) for r in page]
        next_cursor = _encode_cursor(page[-1][order_column], page[-1]["id"]) if more and page else None
        return PostPage(items=items, next_cursor=next_cursor)

    async def retry(self, caller: Caller, post_id: str, platforms: list[Platform] | None) -> PostView:
        await retry_targets(self.pool, caller, post_id, platforms)
        return await self.get(caller, post_id)

    async def edit(self, caller: Caller, post_id: str, body: EditRequest) -> tuple[int, EditOutcome]:
        outcome = await request_edit(
            self.pool,
            self.redis,
            caller,
            post_id,
            body,
            pin_accounts=self.pin_accounts,
            allow_media_hosts=self.settings.media_fetch_allow_hosts,
            wait_seconds=self.settings.cancel_wait_seconds,
        )
        if outcome == "edited":
            post = await self.get(caller, post_id)
            return 200, EditOutcome(id=post_id, status="edited", detail="the post was changed", post=post)
        if outcome is not None:
            raise Conflict(f"the post can no longer be edited ({outcome.replace('_', ' ')})", reason=outcome)
        return 202, EditOutcome(
            id=post_id,
            status="edit_requested",
            detail="the scheduler has not answered yet; the edit still applies if it arrives before "
            "the post is due — check the post",
        )

    async def bulk(
        self, caller: Caller, business_id: int | None, body: bytes, content_type: str
    ) -> BulkResult:
        bid = caller.business(business_id)
        rows = read_rows(body, media_type(content_type))
        if len(rows) > self.settings.bulk_max_rows:
            raise TooLarge(f"{len(rows)} rows: one upload takes at most {self.settings.bulk_max_rows}")
        result = await accept_rows(
            self.pool,
            bid,
            rows,
            pin_accounts=CachedAccounts(self.pin_accounts).pin,
            allow_media_hosts=self.settings.media_fetch_allow_hosts,
            ttl_hours=self.settings.idempotency_ttl_hours,
        )
        for r in result.results:
            if r.status == "created":
                POSTS_ACCEPTED.labels("bulk").inc()
        return result

    async def cancel(self, caller: Caller, post_id: str) -> tuple[int, CancelOutcome]:
        request_id = str(uuid.uuid4())
        async with cancel_waiter.listen(self.redis, request_id) as answer:
            async with self.pool.acquire() as conn, conn.transaction():
                post = await repo.get_post(conn, post_id, sorted(caller.business_ids))
                if post is None:
                    raise NotFound(f"post {post_id} not found")
                statuses = [TargetStatus(t["status"]) for t in await repo.lock_targets(conn, post_id)]
                current = overall_status(statuses)
                if current is PostStatus.CANCELLED:
                    return 200, CancelOutcome(
                        id=post_id, status="cancelled", detail="the post was already cancelled"
                    )
                if all(s in FINAL for s in statuses):
                    raise Conflict(
                        f"the post is already {current.value}; it can no longer be cancelled",
                        post_status=current.value,
                    )
                event = PostCancelRequested(
                    post_id=post_id,
                    business_id=post["business_id"],
                    request_id=request_id,
                    requested_at=utcnow(),
                )
                await repo.add_to_outbox(
                    conn, [encode(event, source=SOURCE, event_id=f"cancel:{request_id}")]
                )
            outcome = await answer.wait(self.settings.cancel_wait_seconds)
        if outcome == "cancelled":
            return 200, CancelOutcome(id=post_id, status="cancelled", detail="the post will not be published")
        if outcome is not None:
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


def _view(post: asyncpg.Record, targets: list[asyncpg.Record]) -> PostView:
    views = []
    for t in targets:
        parts = [PublishedPartView(**p) for p in orjson.loads(t["parts"])]
        views.append(
            TargetView(
                platform=t["platform"],
                account_id=t["account_id"],
                status=t["status"],
                attempts=t["attempts"],
                platform_post_id=parts[0].platform_post_id if parts else None,
                url=parts[0].url if parts else None,
                parts=parts,
                parts_planned=t["parts_planned"],
                reason=t["reason"],
                error_code=t["error_code"],
                reauth_required=t["reauth_required"],
                next_attempt_at=t["next_attempt_at"],
            )
        )
    return PostView(
        id=post["id"],
        business_id=post["business_id"],
        status=post["status"],
        content=post["content"],
        scheduled_for=post["scheduled_for"],
        timezone=post["timezone"],
        late_policy=post["late_policy"],
        created_at=post["created_at"],
        updated_at=post["updated_at"],
        platforms=views,
        links=Links(self=post_link(post["id"])),
    )


def _encode_cursor(when: datetime, post_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([when.isoformat(), post_id])).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        when, post_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(when), str(post_id)
    except (ValueError, TypeError):
        raise Unprocessable("cursor is not one this API returned", field="cursor") from None

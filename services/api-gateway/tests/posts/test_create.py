"""The create path's transaction on the real PostgreSQL: the endpoint's unit of work holds the post,
its outbox row and its idempotency key together, so a failure after the insert leaves nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from redis.asyncio import Redis

from herald_common.kafka.producer import Producer
from herald_gateway.auth.caller import Caller
from herald_gateway.idempotency import KeyTaken, StoredResponse, remember
from herald_gateway.main import SCHEMA
from herald_gateway.outbox import DirectProducer
from herald_gateway.posts.endpoints import create_post
from herald_gateway.posts.schemas import PublishRequest
from herald_gateway.posts.service import Created, NewPost, PostsService
from herald_gateway.posts.transactions import unit_of_work
from herald_gateway.settings import Settings

pytestmark = pytest.mark.infra

CALLER = Caller("user-1", frozenset({1}))
PATH = "/api/v2/publish"
TTL = Settings().idempotency_ttl_hours


@pytest.fixture
async def posts(
    gateway_pool: asyncpg.Pool, fresh_database: str, redis_url: str, kafka_bootstrap: str
) -> AsyncIterator[PostsService]:
    """Its producer is closed: these tests look at what is committed, not at what reaches Kafka."""
    closed = Producer(kafka_bootstrap, "create-test-closed")
    await closed.start()
    await closed.stop()
    direct = DirectProducer(fresh_database, SCHEMA, closed, wait_seconds=1)
    redis = Redis.from_url(redis_url)
    yield PostsService(gateway_pool, redis, Settings(), direct)
    await redis.aclose()


def request(content: str = "one post, once") -> PublishRequest:
    return PublishRequest.model_validate({"content": content, "platforms": ["twitter"]})


async def checked(posts: PostsService, key: str | None) -> NewPost:
    new = await posts.check_create(posts.pool, CALLER, request(), path=PATH, idempotency_key=key)
    assert isinstance(new, NewPost)
    return new


async def counts(pool: asyncpg.Pool) -> tuple[int, int]:
    row = await pool.fetchrow("SELECT (SELECT count(*) FROM posts) AS p, (SELECT count(*) FROM outbox) AS o")
    return row["p"], row["o"]


async def test_a_failure_after_the_insert_leaves_no_post_and_no_outbox_row(posts: PostsService) -> None:
    new = await checked(posts, "k-late-twin")
    assert not new.one_statement  # a key to claim: the post's insert is not the last statement
    # A twin with the same key commits between our replay lookup and our insert.
    async with posts.pool.acquire() as conn, conn.transaction():
        await remember(conn, 1, "k-late-twin", new.digest, TTL, StoredResponse(202, {"id": "twin"}))
    with pytest.raises(KeyTaken):
        async with unit_of_work(posts.pool, one_statement=new.one_statement) as conn:
            await posts.accept(conn, new)  # inserts the post and its outbox row, then meets the key
    assert await posts.pool.fetchval("SELECT count(*) FROM posts WHERE id = $1", new.post_id) == 0
    assert await counts(posts.pool) == (0, 0)
    assert await posts.replay_of_twin(posts.pool, new) == Created(202, {"id": "twin"})


async def test_the_hot_path_stores_the_post_and_its_event_together(posts: PostsService) -> None:
    new = await checked(posts, None)
    assert new.one_statement
    async with unit_of_work(posts.pool, one_statement=True) as conn:
        accepted = await posts.accept(conn, new)
    assert await posts.pool.fetchval("SELECT count(*) FROM post_targets WHERE post_id = $1", new.post_id) == 1
    assert await posts.pool.fetchval("SELECT id FROM outbox") == accepted.outbox_id
    assert accepted.created.body["id"] == new.post_id


async def waiting_on_a_lock(pool: asyncpg.Pool) -> None:
    """Returns once some backend of this database waits on a lock (the twin's uncommitted key)."""
    async with asyncio.timeout(10):
        while not await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        ):
            await asyncio.sleep(0.02)


async def test_two_creates_with_one_key_at_once_make_one_post_and_the_second_gets_the_replay(
    posts: PostsService,
) -> None:
    first = await checked(posts, "k-at-once")
    async with posts.pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        stored = await posts.accept(conn, first)  # the first holds its key, not yet committed
        # The second passed its replay lookup (nothing committed yet) and now waits on the key.
        second = asyncio.create_task(
            create_post(posts, posts.pool, CALLER, request(), path=PATH, idempotency_key="k-at-once")
        )
        await waiting_on_a_lock(posts.pool)
        assert not second.done()
        await tx.commit()
    assert await second == stored.created  # the first's answer, replayed
    assert await counts(posts.pool) == (1, 1)  # the second's post and outbox row were rolled back

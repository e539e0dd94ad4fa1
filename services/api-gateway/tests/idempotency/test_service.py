"""Idempotency keys on the real PostgreSQL: racing twins, a reused key with another body."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from redis.asyncio import Redis

from herald_common.kafka.producer import Producer
from herald_gateway.auth.caller import Caller
from herald_gateway.idempotency import KeyTaken, StoredResponse, find, remember, request_hash
from herald_gateway.main import SCHEMA
from herald_gateway.outbox import DirectProducer
from herald_gateway.posts.endpoints import create_post
from herald_gateway.posts.schemas import PublishRequest
from herald_gateway.posts.service import PostsService
from herald_gateway.problems import Unprocessable
from herald_gateway.settings import Settings

pytestmark = pytest.mark.infra

TTL = 24


async def waiting_on_a_lock(pool: asyncpg.Pool, pid: int) -> None:
    """Returns once the backend `pid` waits on a lock (its INSERT met the twin's uncommitted row)."""
    async with asyncio.timeout(10):
        while (
            await pool.fetchval("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", pid) != "Lock"
        ):
            await asyncio.sleep(0.02)


async def test_the_second_of_two_racing_claims_waits_and_is_told_the_key_is_taken(
    gateway_pool: asyncpg.Pool,
) -> None:
    digest = request_hash("/api/v2/publish", {"content": "x"})
    first, second = StoredResponse(202, {"id": "first"}), StoredResponse(202, {"id": "second"})
    async with gateway_pool.acquire() as a, gateway_pool.acquire() as b:
        txa, txb = a.transaction(), b.transaction()
        await txa.start()
        await txb.start()
        await remember(a, 1, "k-race", digest, TTL, first)
        claim = asyncio.create_task(remember(b, 1, "k-race", digest, TTL, second))
        await waiting_on_a_lock(gateway_pool, b.get_server_pid())
        assert not claim.done()
        await txa.commit()
        with pytest.raises(KeyTaken):
            await claim
        await txb.rollback()
    replay = await find(gateway_pool, 1, "k-race", digest, TTL)
    assert replay == first


async def test_a_claim_whose_twin_rolled_back_stores_its_own_answer(gateway_pool: asyncpg.Pool) -> None:
    digest = request_hash("/api/v2/publish", {"content": "x"})
    async with gateway_pool.acquire() as a, gateway_pool.acquire() as b:
        txa = a.transaction()
        await txa.start()
        await remember(a, 1, "k-undo", digest, TTL, StoredResponse(202, {"id": "lost"}))
        async with b.transaction():
            claim = asyncio.create_task(
                remember(b, 1, "k-undo", digest, TTL, StoredResponse(202, {"id": "kept"}))
            )
            await waiting_on_a_lock(gateway_pool, b.get_server_pid())
            await txa.rollback()
            await claim
    assert await find(gateway_pool, 1, "k-undo", digest, TTL) == StoredResponse(202, {"id": "kept"})


async def test_the_same_key_with_another_body_is_refused(gateway_pool: asyncpg.Pool) -> None:
    digest = request_hash("/api/v2/publish", {"content": "first"})
    async with gateway_pool.acquire() as conn, conn.transaction():
        await remember(conn, 1, "k-body", digest, TTL, StoredResponse(202, {"id": "p"}))
    other = request_hash("/api/v2/publish", {"content": "second"})
    with pytest.raises(Unprocessable, match="different request body"):
        await find(gateway_pool, 1, "k-body", other, TTL)
    # The key is per business: another business may use the same key for its own request.
    assert await find(gateway_pool, 2, "k-body", other, TTL) is None


async def test_twin_requests_through_the_service_create_one_post_and_answer_alike(
    gateway_pool: asyncpg.Pool, fresh_database: str, redis_url: str, kafka_bootstrap: str
) -> None:
    producer = Producer(kafka_bootstrap, "idempotency-test")
    await producer.start()
    direct = DirectProducer(fresh_database, SCHEMA, producer, wait_seconds=10)
    posts = PostsService(gateway_pool, Redis.from_url(redis_url), Settings(), direct)
    caller = Caller("user-1", frozenset({1}))

    async def post(content: str) -> int | str:
        req = PublishRequest.model_validate({"content": content, "platforms": ["twitter"]})
        try:
            created = await create_post(
                posts, gateway_pool, caller, req, path="/api/v2/publish", idempotency_key="k-twins"
            )
        except Unprocessable:
            return 422
        return str(created.body["id"])

    try:
        one, two = await asyncio.gather(post("same words"), post("same words"))
        assert one == two
        assert await gateway_pool.fetchval("SELECT count(*) FROM posts") == 1
        assert await post("other words") == 422
        assert await gateway_pool.fetchval("SELECT count(*) FROM posts") == 1
    finally:
        await direct.stop()
        await producer.stop()

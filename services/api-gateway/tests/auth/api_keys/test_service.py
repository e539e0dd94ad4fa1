"""API keys on the real PostgreSQL: the per-business cap (also under racing creations), revocation,
and verification of the secret."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from herald_gateway.auth.api_keys import service
from herald_gateway.auth.api_keys.schemas import ApiKeyCreate, ApiKeyCreated
from herald_gateway.auth.caller import Caller
from herald_gateway.problems import Conflict, NotFound, Unauthorized

pytestmark = pytest.mark.infra

OWNER = Caller("user-1", frozenset({1}))
CAP = 50


async def create(
    pool: asyncpg.Pool, name: str, caller: Caller = OWNER, *, max_keys: int = CAP
) -> ApiKeyCreated:
    """As the endpoint does: the transaction is opened here, the service runs inside it."""
    async with pool.acquire() as conn, conn.transaction():
        return await service.create(conn, caller, ApiKeyCreate(name=name), max_keys=max_keys)


async def test_a_business_holds_at_most_the_cap_of_active_keys(gateway_pool: asyncpg.Pool) -> None:
    for n in range(CAP):
        await create(gateway_pool, f"key {n}")
    with pytest.raises(Conflict, match="at most 50"):
        await create(gateway_pool, "one too many")
    # Another business has a cap of its own.
    await create(gateway_pool, "elsewhere", Caller("user-2", frozenset({2})))
    # A revoked key frees its place.
    first = (await service.list_keys(gateway_pool, OWNER, None))[0]
    await service.revoke(gateway_pool, OWNER, first.id)
    await create(gateway_pool, "in the freed place")
    assert len(await service.list_keys(gateway_pool, OWNER, None)) == CAP


async def test_a_creation_racing_for_the_last_place_waits_and_is_refused(gateway_pool: asyncpg.Pool) -> None:
    for n in range(CAP - 1):
        await create(gateway_pool, f"key {n}")
    async with gateway_pool.acquire() as a, gateway_pool.acquire() as b:
        first = a.transaction()
        await first.start()
        await service.create(a, OWNER, ApiKeyCreate(name="first"), max_keys=CAP)  # the 50th, not committed
        async with b.transaction():
            second = asyncio.create_task(service.create(b, OWNER, ApiKeyCreate(name="second"), max_keys=CAP))
            # The second cannot count before the first commits: it waits on the business's lock.
            async with asyncio.timeout(10):
                while (
                    await gateway_pool.fetchval(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", b.get_server_pid()
                    )
                    != "Lock"
                ):
                    await asyncio.sleep(0.02)
            await first.commit()
            with pytest.raises(Conflict, match="at most 50"):
                await second
    assert len(await service.list_keys(gateway_pool, OWNER, None)) == CAP


async def test_a_key_proves_its_business_until_it_is_revoked(gateway_pool: asyncpg.Pool) -> None:
    created = await create(gateway_pool, "nightly import")
    caller = await service.verify(gateway_pool, created.key)
    assert caller.business_ids == frozenset({1})
    assert caller.via == "api_key"
    assert caller.api_key_id == created.id
    (listed,) = await service.list_keys(gateway_pool, OWNER, None)
    assert listed.last_used_at is not None  # verification records the use

    with pytest.raises(NotFound):  # only a member of the key's business may revoke it
        await service.revoke(gateway_pool, Caller("user-2", frozenset({2})), created.id)
    await service.revoke(gateway_pool, OWNER, created.id)
    with pytest.raises(Unauthorized, match="unknown or revoked"):
        await service.verify(gateway_pool, created.key)
    assert await service.list_keys(gateway_pool, OWNER, None) == []
    with pytest.raises(NotFound):  # revoking twice finds nothing to revoke
        await service.revoke(gateway_pool, OWNER, created.id)


async def test_a_wrong_secret_or_a_malformed_key_is_refused(gateway_pool: asyncpg.Pool) -> None:
    created = await create(gateway_pool, "k")
    with pytest.raises(Unauthorized, match="not valid"):
        await service.verify(gateway_pool, f"hk_{created.id}_not-the-secret")
    with pytest.raises(Unauthorized, match="malformed"):
        await service.verify(gateway_pool, "hk_nounderscore")

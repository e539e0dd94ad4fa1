"""API keys: `hk_<id>_<secret>`, created and revoked through the API, scoped to one business.

Only a SHA-256 of the secret is stored; the full key is shown once, at creation. Lookup is by
the public id, then a constant-time comparison of the hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.config import JsonDict

from herald_gateway.auth.caller import Caller
from herald_gateway.problems import Conflict, NotFound, Unauthorized
from herald_gateway.request_model import RequestModel

PREFIX = "hk_"


class ApiKeyCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "nightly import", "business_id": 1}]})

    name: str = Field(min_length=1, max_length=100)
    business_id: StrictInt | None = None


_KEY_EXAMPLE: JsonDict = {
    "id": "3f9a1c2b7d4e5f60",
    "name": "nightly import",
    "business_id": 1,
    "created_at": "2030-01-01T09:00:00Z",
    "last_used_at": "2030-01-02T09:00:00Z",
}


class ApiKeyView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_KEY_EXAMPLE]})

    id: str
    name: str
    business_id: int
    created_at: datetime
    last_used_at: datetime | None = None


class ApiKeyCreated(ApiKeyView):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_KEY_EXAMPLE, "key": "hk_3f9a1c2b7d4e5f60_kVb3…"}]}
    )

    key: str = Field(description="the secret key; shown only in this response")


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse(key: str) -> tuple[str, str] | None:
    if not key.startswith(PREFIX):
        return None
    key_id, sep, secret = key[len(PREFIX) :].partition("_")
    return (key_id, secret) if sep and key_id and secret else None


async def create(pool: asyncpg.Pool, caller: Caller, body: ApiKeyCreate, *, max_keys: int) -> ApiKeyCreated:
    """A new key, unless the business already holds `max_keys` active ones (409)."""
    business_id = caller.business(body.business_id)
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    async with pool.acquire() as conn, conn.transaction():
        # One creation at a time per business, so two racing requests cannot both pass the count.
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('herald.api_keys:' || $1::bigint::text, 0))",
            business_id,
        )
        active = await conn.fetchval(
            "SELECT count(*) FROM api_keys WHERE business_id = $1 AND revoked_at IS NULL", business_id
        )
        if active >= max_keys:
            raise Conflict(
                f"business {business_id} already has {active} active API keys (at most {max_keys}); "
                "revoke one first"
            )
        row = await conn.fetchrow(
            "INSERT INTO api_keys (id, business_id, name, secret_hash, created_by) VALUES ($1,$2,$3,$4,$5)"
            " RETURNING created_at",
            key_id,
            business_id,
            body.name,
            _hash(secret),
            caller.user_id,
        )
    assert row is not None
    return ApiKeyCreated(
        id=key_id,
        name=body.name,
        business_id=business_id,
        created_at=row["created_at"],
        key=f"{PREFIX}{key_id}_{secret}",
    )


async def list_keys(pool: asyncpg.Pool, caller: Caller, business_id: int | None) -> list[ApiKeyView]:
    bid = caller.business(business_id)
    rows = await pool.fetch(
        "SELECT id, name, business_id, created_at, last_used_at FROM api_keys"
        " WHERE business_id = $1 AND revoked_at IS NULL ORDER BY created_at",
        bid,
    )
    return [ApiKeyView(**dict(r)) for r in rows]


async def revoke(pool: asyncpg.Pool, caller: Caller, key_id: str) -> None:
    done = await pool.fetchval(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND business_id = ANY($2::bigint[])"
        " AND revoked_at IS NULL RETURNING true",
        key_id,
        sorted(caller.business_ids),
    )
    if not done:
        raise NotFound(f"API key {key_id} not found")


async def verify(pool: asyncpg.Pool, key: str) -> Caller:
    parsed = parse(key)
    if parsed is None:
        raise Unauthorized("the API key is malformed")
    key_id, secret = parsed
    row = await pool.fetchrow(
        "UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND revoked_at IS NULL"
        " RETURNING business_id, secret_hash",
        key_id,
    )
    if row is None or not hmac.compare_digest(bytes(row["secret_hash"]), _hash(secret)):
        raise Unauthorized("the API key is not valid (unknown or revoked)")
    return Caller(f"api-key:{key_id}", frozenset({row["business_id"]}), via="api_key", api_key_id=key_id)

"""API keys: `hk_<id>_<secret>`, created and revoked through the API, scoped to one business.

Only a SHA-256 of the secret is stored; the full key is shown once, at creation. Lookup is by
the public id, then a constant-time comparison of the hashes. Functions take the caller's
connection; `create` needs a transaction (its per-business lock lasts until the commit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import asyncpg

from herald_gateway.auth.api_keys import repository
from herald_gateway.auth.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyView
from herald_gateway.auth.caller import Caller
from herald_gateway.problems import Conflict, NotFound, Unauthorized

PREFIX = "hk_"


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse(key: str) -> tuple[str, str] | None:
    if not key.startswith(PREFIX):
        return None
    key_id, sep, secret = key[len(PREFIX) :].partition("_")
    return (key_id, secret) if sep and key_id and secret else None


async def create(
    conn: asyncpg.Connection, caller: Caller, body: ApiKeyCreate, *, max_keys: int
) -> ApiKeyCreated:
    """A new key, unless the business already holds `max_keys` active ones (409). Run inside a
    transaction: one creation at a time per business, so two racing requests cannot both pass
    the count."""
    business_id = caller.business(body.business_id)
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    await repository.lock_business(conn, business_id)
    active = await repository.count_active(conn, business_id)
    if active >= max_keys:
        raise Conflict(
            f"business {business_id} already has {active} active API keys (at most {max_keys}); revoke one first"
        )
    created_at = await repository.insert(conn, key_id, business_id, body.name, _hash(secret), caller.user_id)
    return ApiKeyCreated(
        id=key_id,
        name=body.name,
        business_id=business_id,
        created_at=created_at,
        key=f"{PREFIX}{key_id}_{secret}",
    )


async def list_keys(conn: repository.Conn, caller: Caller, business_id: int | None) -> list[ApiKeyView]:
    rows = await repository.list_active(conn, caller.business(business_id))
    return [ApiKeyView(**dict(r)) for r in rows]


async def revoke(conn: repository.Conn, caller: Caller, key_id: str) -> None:
    if not await repository.revoke(conn, key_id, sorted(caller.business_ids)):
        raise NotFound(f"API key {key_id} not found")


async def verify(conn: repository.Conn, key: str) -> Caller:
    parsed = parse(key)
    if parsed is None:
        raise Unauthorized("the API key is malformed")
    key_id, secret = parsed
    row = await repository.touch_active(conn, key_id)
    if row is None or not hmac.compare_digest(bytes(row["secret_hash"]), _hash(secret)):
        raise Unauthorized("the API key is not valid (unknown or revoked)")
    return Caller(f"api-key:{key_id}", frozenset({row["business_id"]}), via="api_key", api_key_id=key_id)

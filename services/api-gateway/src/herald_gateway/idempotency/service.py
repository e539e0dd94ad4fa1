"""Idempotency-Key for POSTs: the same key and body within the TTL replays the first response.

The key is claimed in the same transaction that creates the post (the caller's), so a replay can
never see a post without its response or the other way round.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from herald_gateway.idempotency import repository
from herald_gateway.problems import Unprocessable

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


class KeyTaken(Exception):
    """Another request with this key committed first; the caller rolls back and replays it."""


def request_hash(path: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(path.encode() + b"\n" + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Unprocessable(f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters")
    return key


async def find(
    conn: asyncpg.Connection | asyncpg.Pool, business_id: int, key: str, digest: str, ttl_hours: int
) -> StoredResponse | None:
    """The first response for this key, or None; a different body under the key is refused (422)."""
    row = await repository.find_live(conn, business_id, key, ttl_hours)
    if row is None:
        return None
    if row["request_hash"] != digest:
        raise Unprocessable("this Idempotency-Key was already used with a different request body")
    return StoredResponse(row["status_code"], orjson.loads(row["response"]))


async def remember(
    conn: asyncpg.Connection,
    business_id: int,
    key: str,
    digest: str,
    ttl_hours: int,
    response: StoredResponse,
) -> None:
    """Claims the key inside the caller's transaction; KeyTaken when a concurrent twin won."""
    # An expired row for the key is replaced; a live one means a concurrent twin won the race.
    await repository.delete_expired_key(conn, business_id, key, ttl_hours)
    body = orjson.dumps(response.body).decode()
    if not await repository.insert(conn, business_id, key, digest, response.status_code, body):
        raise KeyTaken

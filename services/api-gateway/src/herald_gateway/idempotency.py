"""Idempotency-Key for POSTs: the same key and body within the TTL replays the first response.

The key is claimed in the same transaction that creates the post, so a replay can never see
a post without its response or the other way round.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from herald_common.logs import get_logger
from herald_gateway.background import BackgroundLoop
from herald_gateway.problems import Unprocessable

log = get_logger(__name__)

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
    row = await conn.fetchrow(
        "SELECT request_hash, status_code, response FROM idempotency_keys WHERE business_id = $1 AND key = $2"
        " AND created_at > now() - make_interval(hours => $3)",
        business_id,
        key,
        ttl_hours,
    )
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
    # An expired row for the key is replaced; a live one means a concurrent twin won the race.
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE business_id = $1 AND key = $2"
        " AND created_at <= now() - make_interval(hours => $3)",
        business_id,
        key,
        ttl_hours,
    )
    stored = await conn.fetchval(
        "INSERT INTO idempotency_keys (business_id, key, request_hash, status_code, response)"
        " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING RETURNING true",
        business_id,
        key,
        digest,
        response.status_code,
        orjson.dumps(response.body).decode(),
    )
    if not stored:
        raise KeyTaken


async def purge_expired(pool: asyncpg.Pool, ttl_hours: int, batch: int = 5000) -> int:
    """Delete expired keys in bounded batches (no long lock on a big table); returns how many."""
    total = 0
    while True:
        result = await pool.execute(
            "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys"
            " WHERE created_at <= now() - make_interval(hours => $1) LIMIT $2))",
            ttl_hours,
            batch,
        )
        deleted = int(result.split()[-1])
        total += deleted
        if deleted < batch:
            return total


class ExpiredKeysPurge(BackgroundLoop):
    """Expired keys only replace themselves when the same key comes back; without this sweep the
    table would grow without bound. Every replica may run it: the DELETE is idempotent."""

    name = "idempotency-purge"

    def __init__(self, pool: asyncpg.Pool, ttl_hours: int, interval_seconds: float) -> None:
        super().__init__()
        self.pool, self.ttl_hours, self.interval = pool, ttl_hours, interval_seconds

    async def _run(self) -> None:
        while True:
            try:
                purged = await purge_expired(self.pool, self.ttl_hours)
                if purged:
                    log.info("purged expired idempotency keys", extra={"purged": purged})
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("idempotency purge failed; next pass retries: %s", exc)
            await asyncio.sleep(self.interval)

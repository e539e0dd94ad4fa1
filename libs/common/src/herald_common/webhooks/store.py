"""All SQL of webhook endpoints and the delivery log, sealing secrets on the way in and opening
them on the way out. The notifier's own queries (intake, claiming, outcomes) live in its repository."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

import asyncpg

from herald_common.accounts.crypto import Sealed, TokenCipher
from herald_common.webhooks.model import Delivery, Endpoint

ROTATION_OVERLAP = timedelta(hours=24)
WAKE_CHANNEL = "herald_webhooks"
_ENDPOINT = "id, business_id, url, events, description, disabled_at, disabled_reason, created_at"
_DELIVERY = (
    "id, endpoint_id, message_id, post_id, event_type, status, attempts, next_attempt_at,"
    " last_status_code, last_error, last_latency_ms, delivered_at, created_at"
)


def _endpoint(row: asyncpg.Record) -> Endpoint:
    return Endpoint(**{k: row[k] for k in _ENDPOINT.split(", ")})


def _delivery(row: asyncpg.Record) -> Delivery:
    fields = {k: row[k] for k in _DELIVERY.replace(" ", "").split(",")}
    if fields["status"] != "pending":
        fields["next_attempt_at"] = None
    return Delivery(**fields)


async def wake_notifier(conn: asyncpg.Connection) -> None:
    """Deliveries are due now: the notifiers' loops wake on commit (LISTEN), not on their next poll."""
    await conn.execute(f"NOTIFY {WAKE_CHANNEL}")


class WebhookStore:
    def __init__(self, pool: asyncpg.Pool, cipher: TokenCipher) -> None:
        self.pool, self.cipher = pool, cipher

    def seal(self, endpoint_id: str, secret: str) -> bytes:
        return self.cipher.seal(secret, f"webhook:{endpoint_id}").blob

    def open(self, endpoint_id: str, key_id: str, blob: bytes) -> str:
        return self.cipher.open(Sealed(key_id, bytes(blob)), f"webhook:{endpoint_id}")

    def signing_secrets(self, endpoint_id: str, row: asyncpg.Record) -> list[str]:
        """The current secret, then the rotated-out one while its overlap lasts."""
        found = [self.open(endpoint_id, row["key_id"], row["secret"])]
        if row["previous_secret"] is not None and not row["previous_expired"]:
            found.append(self.open(endpoint_id, row["previous_key_id"], row["previous_secret"]))
        return found

    async def count(self, conn: asyncpg.Connection, business_id: int) -> int:
        # Serialises creations of one business, so the cap holds under racing requests.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('webhooks'), $1::int)", business_id % 2**31)
        return int(
            await conn.fetchval("SELECT count(*) FROM webhooks.endpoints WHERE business_id=$1", business_id)
        )

    async def create(
        self,
        conn: asyncpg.Connection,
        *,
        business_id: int,
        url: str,
        events: Sequence[str],
        description: str,
        secret: str,
    ) -> Endpoint:
        endpoint_id = f"whk_{secrets.token_hex(10)}"
        row = await conn.fetchrow(
            "INSERT INTO webhooks.endpoints (id, business_id, url, events, description, key_id, secret)"
            f" VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING {_ENDPOINT}",
            endpoint_id,
            business_id,
            url,
            list(events),
            description,
            self.cipher.active,
            self.seal(endpoint_id, secret),
        )
        assert row is not None
        return _endpoint(row)

    async def endpoints(self, business_ids: Sequence[int]) -> list[Endpoint]:
        rows = await self.pool.fetch(
            f"SELECT {_ENDPOINT} FROM webhooks.endpoints WHERE business_id = ANY($1::bigint[])"
            " ORDER BY created_at, id",
            list(business_ids),
        )
        return [_endpoint(r) for r in rows]

    async def get(self, endpoint_id: str, business_ids: Sequence[int]) -> Endpoint | None:
        row = await self.pool.fetchrow(
            f"SELECT {_ENDPOINT} FROM webhooks.endpoints WHERE id=$1 AND business_id = ANY($2::bigint[])",
            endpoint_id,
            list(business_ids),
        )
        return None if row is None else _endpoint(row)

    async def delete(self, endpoint_id: str, business_ids: Sequence[int]) -> bool:
        done = await self.pool.fetchval(
            "DELETE FROM webhooks.endpoints WHERE id=$1 AND business_id = ANY($2::bigint[]) RETURNING true",
            endpoint_id,
            list(business_ids),
        )
        return bool(done)

    async def rotate(
        self, conn: asyncpg.Connection, endpoint_id: str, business_ids: Sequence[int], secret: str
    ) -> bool:
        """The current secret becomes the previous one (still signing for ROTATION_OVERLAP)."""
        done = await conn.fetchval(
            "UPDATE webhooks.endpoints SET previous_key_id=key_id, previous_secret=secret,"
            " previous_expires_at=now() + $3::interval, key_id=$4, secret=$5, updated_at=now()"
            " WHERE id=$1 AND business_id = ANY($2::bigint[]) RETURNING true",
            endpoint_id,
            list(business_ids),
            ROTATION_OVERLAP,
            self.cipher.active,
            self.seal(endpoint_id, secret),
        )
        return bool(done)

    async def reseal_all(self) -> int:
        """Re-encrypt every signing secret (and a rotated-out one still in its overlap) with the
        active key, so the old key can leave the keyring; a rotated-out secret past its overlap
        signs nothing any more and is dropped. Returns how many endpoints changed."""
        active = self.cipher.active
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, key_id, secret, previous_key_id,"
                " CASE WHEN previous_expires_at > now() THEN previous_secret END AS previous_secret"
                " FROM webhooks.endpoints WHERE key_id <> $1 OR previous_key_id <> $1 FOR UPDATE",
                active,
            )
            for row in rows:
                endpoint_id, previous = row["id"], row["previous_secret"]
                await conn.execute(
                    "UPDATE webhooks.endpoints SET key_id=$2, secret=$3,"
                    " previous_key_id=CASE WHEN previous_secret IS NULL THEN NULL ELSE $2 END,"
                    " previous_secret=$4 WHERE id=$1",
                    endpoint_id,
                    active,
                    self.seal(endpoint_id, self.open(endpoint_id, row["key_id"], row["secret"])),
                    None
                    if previous is None
                    else self.seal(endpoint_id, self.open(endpoint_id, row["previous_key_id"], previous)),
                )
        return len(rows)

    async def enable(self, endpoint_id: str, business_ids: Sequence[int]) -> Endpoint | None:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "UPDATE webhooks.endpoints SET disabled_at=NULL, disabled_reason=NULL, updated_at=now()"
                f" WHERE id=$1 AND business_id = ANY($2::bigint[]) RETURNING {_ENDPOINT}",
                endpoint_id,
                list(business_ids),
            )
            if row is not None:  # what waited while it was disabled goes now
                await wake_notifier(conn)
        return None if row is None else _endpoint(row)

    async def deliveries(self, endpoint_id: str, before: int | None, limit: int) -> list[Delivery]:
        """Newest first; `before` is the cursor (the last id of the previous page)."""
        rows = await self.pool.fetch(
            f"SELECT {_DELIVERY} FROM webhooks.deliveries WHERE endpoint_id=$1"
            " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
            endpoint_id,
            before,
            limit,
        )
        return [_delivery(r) for r in rows]

    async def redeliver(self, endpoint_id: str, delivery_id: int) -> Delivery | None:
        """Send again, with the same webhook-id (receivers deduplicate on it)."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "UPDATE webhooks.deliveries SET status='pending', next_attempt_at=now()"
                f" WHERE id=$1 AND endpoint_id=$2 RETURNING {_DELIVERY}",
                delivery_id,
                endpoint_id,
            )
            if row is not None:
                await wake_notifier(conn)
        return None if row is None else _delivery(row)

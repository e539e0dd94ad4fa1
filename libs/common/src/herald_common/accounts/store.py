"""All SQL of connected accounts, sealing tokens on the way in and opening them on the way out."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from herald_common.accounts.crypto import Sealed, TokenCipher
from herald_common.accounts.model import AccountSummary, ConnectedAccount, TokenSet
from herald_common.platforms import Platform

SCHEMA = "accounts"
_SUMMARY = (
    "id, business_id, platform, account_id, display_name, status, access_expires_at, scopes, created_at,"
    " is_default"
)


def _summary(row: asyncpg.Record) -> AccountSummary:
    return AccountSummary(
        **{k: row[k] for k in _SUMMARY.split(", ")} | {"platform": Platform(row["platform"])}
    )


class AccountStore:
    def __init__(self, pool: asyncpg.Pool, cipher: TokenCipher) -> None:
        self.pool, self.cipher = pool, cipher

    def _seal(self, account_id: str, name: str, value: str | None) -> bytes | None:
        return None if value is None else self.cipher.seal(value, f"{account_id}:{name}").blob

    def _open(self, row: asyncpg.Record, name: str) -> str | None:
        blob = row[name]
        return (
            None
            if blob is None
            else self.cipher.open(Sealed(row["key_id"], bytes(blob)), f"{row['id']}:{name}")
        )

    async def save(
        self,
        *,
        business_id: int,
        platform: Platform,
        account_id: str,
        display_name: str,
        tokens: TokenSet,
        connected_by: str,
    ) -> AccountSummary:
        """Connect (or reconnect: new tokens, status active) one platform account for a business."""
        async with self.pool.acquire() as conn, conn.transaction():
            # The default lock first, then rows: every writer of defaults takes them in this order.
            await self._lock_defaults(conn, business_id, platform.value)
            existing = await conn.fetchval(
                "SELECT id FROM accounts.connected_accounts WHERE business_id=$1 AND platform=$2 AND account_id=$3"
                " FOR UPDATE",
                business_id,
                platform.value,
                account_id,
            )
            row_id = existing or f"acc_{secrets.token_hex(10)}"
            # The first account of a platform becomes the default; later ones wait to be chosen.
            row = await conn.fetchrow(
                "INSERT INTO accounts.connected_accounts (id, business_id, platform, account_id, display_name,"
                " key_id, access_token, refresh_token, token_secret, access_expires_at, refresh_expires_at, scopes,"
                " connected_by, is_default) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,"
                " NOT EXISTS (SELECT 1 FROM accounts.connected_accounts WHERE business_id=$2 AND platform=$3"
                " AND is_default))"
                " ON CONFLICT (id) DO UPDATE SET display_name=$5, key_id=$6, access_token=$7, refresh_token=$8,"
                " token_secret=$9, access_expires_at=$10, refresh_expires_at=$11, scopes=$12, connected_by=$13,"
                f" status='active', updated_at=now() RETURNING {_SUMMARY}",
                row_id,
                business_id,
                platform.value,
                account_id,
                display_name,
                self.cipher.active,
                self._seal(row_id, "access_token", tokens.access_token),
                self._seal(row_id, "refresh_token", tokens.refresh_token),
                self._seal(row_id, "token_secret", tokens.token_secret),
                tokens.access_expires_at,
                tokens.refresh_expires_at,
                tokens.scopes,
                connected_by,
            )
        assert row is not None
        return _summary(row)

    async def list(self, business_ids: Sequence[int]) -> list[AccountSummary]:
        rows = await self.pool.fetch(
            f"SELECT {_SUMMARY} FROM accounts.connected_accounts WHERE business_id = ANY($1::bigint[])"
            " ORDER BY business_id, platform, created_at",
            list(business_ids),
        )
        return [_summary(r) for r in rows]

    async def find(self, account_row_id: str, business_ids: Sequence[int]) -> AccountSummary | None:
        row = await self.pool.fetchrow(
            f"SELECT {_SUMMARY} FROM accounts.connected_accounts WHERE id = $1 AND business_id = ANY($2::bigint[])",
            account_row_id,
            list(business_ids),
        )
        return None if row is None else _summary(row)

    async def default_for(self, business_id: int, platform: Platform) -> AccountSummary | None:
        row = await self.pool.fetchrow(
            f"SELECT {_SUMMARY} FROM accounts.connected_accounts WHERE business_id = $1 AND platform = $2"
            " AND is_default",
            business_id,
            platform.value,
        )
        return None if row is None else _summary(row)

    async def set_default(self, account_row_id: str, business_ids: Sequence[int]) -> AccountSummary | None:
        """Make the account its platform's default for its business; None when it is not one of theirs."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await self._owned_and_locked(conn, account_row_id, business_ids)
            if row is None:
                return None
            # Two statements: the unique index is checked row by row, so the old default goes first.
            await conn.execute(
                "UPDATE accounts.connected_accounts SET is_default = false"
                " WHERE business_id = $1 AND platform = $2 AND is_default AND id <> $3",
                row["business_id"],
                row["platform"],
                account_row_id,
            )
            await conn.execute(
                "UPDATE accounts.connected_accounts SET is_default = true WHERE id = $1", account_row_id
            )
            chosen = await conn.fetchrow(
                f"SELECT {_SUMMARY} FROM accounts.connected_accounts WHERE id = $1", account_row_id
            )
        return None if chosen is None else _summary(chosen)  # None: disconnected meanwhile

    async def _owned_and_locked(
        self, conn: asyncpg.Connection, account_row_id: str, business_ids: Sequence[int]
    ) -> asyncpg.Record | None:
        """The account's business and platform when it is one of `business_ids`, with that business and
        platform's defaults locked (before any row lock); None when it is not theirs."""
        row = await conn.fetchrow(
            "SELECT business_id, platform FROM accounts.connected_accounts"
            " WHERE id = $1 AND business_id = ANY($2::bigint[])",
            account_row_id,
            list(business_ids),
        )
        if row is not None:
            await self._lock_defaults(conn, row["business_id"], row["platform"])
        return row

    @staticmethod
    async def _lock_defaults(conn: asyncpg.Connection, business_id: int, platform: str) -> None:
        """Serialises every change of one business/platform's default (connect, choose, disconnect)."""
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('herald.accounts.default'), hashtext($1 || ':' || $2))",
            str(business_id),
            platform,
        )

    async def disconnect(self, account_row_id: str, business_ids: Sequence[int]) -> bool:
        """Delete the account; when it was the default, the earliest-connected remaining one takes over."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await self._owned_and_locked(conn, account_row_id, business_ids)
            if row is None:
                return False
            was_default = await conn.fetchval(
                "DELETE FROM accounts.connected_accounts WHERE id = $1 RETURNING is_default", account_row_id
            )
            if was_default:
                await conn.execute(
                    "UPDATE accounts.connected_accounts SET is_default = true WHERE id = ("
                    " SELECT id FROM accounts.connected_accounts WHERE business_id = $1 AND platform = $2"
                    " ORDER BY created_at, id LIMIT 1)",
                    row["business_id"],
                    row["platform"],
                )
        return was_default is not None

    async def for_publishing(
        self,
        business_id: int,
        platform: Platform,
        account_id: str | None,
    ) -> ConnectedAccount | None:
        """The business's account on the platform: the named one (platform account id), else its default.

        Never "the most recently updated": a token refresh must not change who the next post is from."""
        row = await self.pool.fetchrow(
            "SELECT * FROM accounts.connected_accounts WHERE business_id = $1 AND platform = $2"
            " AND ($3::text IS NULL OR account_id = $3) AND ($3::text IS NOT NULL OR is_default)"
            " LIMIT 1",
            business_id,
            platform.value,
            account_id,
        )
        return None if row is None else self._decrypted(row)

    def _decrypted(self, row: asyncpg.Record) -> ConnectedAccount:
        tokens = TokenSet(
            access_token=self._open(row, "access_token") or "",
            refresh_token=self._open(row, "refresh_token"),
            token_secret=self._open(row, "token_secret"),
            access_expires_at=row["access_expires_at"],
            refresh_expires_at=row["refresh_expires_at"],
            scopes=row["scopes"],
        )
        return ConnectedAccount(_summary(row), tokens)

    @asynccontextmanager
    async def locked(self, account_row_id: str) -> AsyncIterator[tuple[asyncpg.Connection, ConnectedAccount]]:
        """The account, row-locked for a refresh: single-use refresh tokens must not be spent twice."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT * FROM accounts.connected_accounts WHERE id = $1 FOR UPDATE", account_row_id
            )
            if row is None:
                raise LookupError(account_row_id)
            yield conn, self._decrypted(row)

    async def replace_tokens(self, conn: asyncpg.Connection, account_row_id: str, tokens: TokenSet) -> None:
        await conn.execute(
            "UPDATE accounts.connected_accounts SET key_id=$2, access_token=$3,"
            " refresh_token=COALESCE($4, refresh_token), access_expires_at=$5, refresh_expires_at=COALESCE($6, refresh_expires_at), status='active',"
            " updated_at=now() WHERE id=$1",
            account_row_id,
            self.cipher.active,
            self._seal(account_row_id, "access_token", tokens.access_token),
            self._seal(account_row_id, "refresh_token", tokens.refresh_token),
            tokens.access_expires_at,
            tokens.refresh_expires_at,
        )

    async def mark_reauth_required(self, account_row_id: str, conn: asyncpg.Connection | None = None) -> None:
        await (conn or self.pool).execute(
            "UPDATE accounts.connected_accounts SET status='reauth_required', updated_at=now() WHERE id=$1",
            account_row_id,
        )

    async def reseal_all(self) -> int:
        """Re-encrypt every token with the active key (after a new key was put first)."""
        count = 0
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT * FROM accounts.connected_accounts WHERE key_id <> $1 FOR UPDATE", self.cipher.active
            )
            for row in rows:
                account = self._decrypted(row)
                await self.replace_tokens(conn, row["id"], account.tokens)
                if account.tokens.token_secret is not None:
                    await conn.execute(
                        "UPDATE accounts.connected_accounts SET token_secret=$2 WHERE id=$1",
                        row["id"],
                        self._seal(row["id"], "token_secret", account.tokens.token_secret),
                    )
                count += 1
        return count

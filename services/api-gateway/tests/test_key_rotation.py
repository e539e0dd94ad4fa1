"""`herald-api-gateway rotate-token-key` on a real PostgreSQL: after it, everything sealed at rest
(account tokens, webhook signing secrets, a rotated-out secret still in its overlap) opens with the
new key alone, so the old key can leave the keyring."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from herald_common.accounts import wiring as accounts_wiring
from herald_common.accounts.crypto import TokenCipher, TokenCipherError
from herald_common.accounts.model import TokenSet
from herald_common.accounts.store import AccountStore
from herald_common.db.pool import create_pool
from herald_common.platforms import Platform
from herald_common.runtime import migrate
from herald_common.webhooks import wiring as webhooks_wiring
from herald_common.webhooks.store import WebhookStore
from herald_gateway.cli import run
from herald_gateway.settings import Settings

pytestmark = pytest.mark.infra

OLD, NEW = f"old:{TokenCipher.new_key()}", f"new:{TokenCipher.new_key()}"
ENDPOINT_ROW = (
    "SELECT key_id, secret, previous_key_id, previous_secret,"
    " coalesce(previous_expires_at < now(), true) AS previous_expired FROM webhooks.endpoints WHERE id = $1"
)


async def test_rotation_reseals_tokens_and_webhook_secrets_with_the_new_key(fresh_database: str) -> None:
    settings = Settings(database_url=fresh_database, token_encryption_keys=SecretStr(f"{NEW},{OLD}"))
    for schema, migrations in (
        (accounts_wiring.SCHEMA, accounts_wiring.MIGRATIONS),
        (webhooks_wiring.SCHEMA, webhooks_wiring.MIGRATIONS),
    ):
        await migrate(settings, schema, migrations)
    old_only, new_only = TokenCipher.from_setting(OLD), TokenCipher.from_setting(NEW)
    pool = await create_pool(fresh_database, min_size=1, max_size=2)
    try:
        account = await AccountStore(pool, old_only).save(
            business_id=1,
            platform=Platform.TWITTER,
            account_id="1234",
            display_name="@herald",
            tokens=TokenSet(access_token="access-1", refresh_token="refresh-1", token_secret="secret-1"),
            connected_by="test",
        )
        hooks = WebhookStore(pool, old_only)
        async with pool.acquire() as conn:
            endpoint = await hooks.create(
                conn,
                business_id=1,
                url="https://example.com/hook",
                events=["*"],
                description="",
                secret="first",
            )
            await hooks.rotate(conn, endpoint.id, [1], "second")  # "first" still signs for a while
        with pytest.raises(TokenCipherError):
            WebhookStore(pool, new_only).signing_secrets(
                endpoint.id, await pool.fetchrow(ENDPOINT_ROW, endpoint.id)
            )

        await run("rotate-token-key", settings)

        async with AccountStore(pool, new_only).locked(account.id) as (_, opened):
            assert (opened.tokens.access_token, opened.tokens.refresh_token, opened.tokens.token_secret) == (
                "access-1",
                "refresh-1",
                "secret-1",
            )
        row = await pool.fetchrow(ENDPOINT_ROW, endpoint.id)
        assert (row["key_id"], row["previous_key_id"]) == ("new", "new")
        assert WebhookStore(pool, new_only).signing_secrets(endpoint.id, row) == ["second", "first"]
    finally:
        await pool.close()

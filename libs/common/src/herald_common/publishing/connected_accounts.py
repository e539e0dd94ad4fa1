"""The publishers' view of connected accounts: resolve a business's account, refresh its token.

Refreshing holds the account's row lock, so two publishers never spend one single-use refresh
token (X rotates them: reusing one revokes the whole grant).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from herald_common.accounts.crypto import TokenCipher
from herald_common.accounts.model import ConnectedAccount
from herald_common.accounts.oauth import OAuthError, provider_for
from herald_common.accounts.settings import AccountSettings
from herald_common.accounts.store import AccountStore
from herald_common.logs import get_logger
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, AccountResolver
from herald_common.publishing.outcomes import ReauthRequired, RetryableError
from herald_common.runtime import Infra

log = get_logger(__name__)
EARLY_REFRESH = timedelta(minutes=2)
ROW_ID = "herald_account_row"  # in Account.extra: which stored account a token came from


class DatabaseAccounts:
    def __init__(self, store: AccountStore, settings: AccountSettings, http: httpx.AsyncClient) -> None:
        self.store, self.settings, self.http = store, settings, http

    async def resolve(self, business_id: int, platform: Platform, account_id: str | None) -> Account:
        connected = await self.store.for_publishing(business_id, platform, account_id)
        if connected is None:
            which = f"account {account_id}" if account_id else "account"
            raise ReauthRequired(
                f"no {platform.value} {which} is connected for this business", code="no_account"
            )
        if connected.summary.status == "reauth_required":
            raise ReauthRequired(
                f"the {platform.value} account {connected.summary.display_name} must be connected again",
                code="reauth_required",
            )
        expires = connected.tokens.access_expires_at
        if expires is not None and expires - EARLY_REFRESH <= datetime.now(UTC):
            refreshed = await self._refresh(connected)
            if refreshed is None:
                raise ReauthRequired(
                    f"the {platform.value} token expired and cannot be refreshed", code="expired"
                )
            return refreshed
        return self._account(connected)

    async def refreshed(self, account: Account) -> Account | None:
        row_id = account.extra.get(ROW_ID)
        if row_id is None:
            return None
        async with self.store.locked(row_id) as (_, current):
            if current.tokens.access_token != account.access_token:
                return self._account(current)  # another worker refreshed it meanwhile
        return await self._refresh(current)

    async def _refresh(self, connected: ConnectedAccount) -> Account | None:
        provider = provider_for(connected.summary.platform, self.settings)
        async with self.store.locked(connected.summary.id) as (conn, current):
            if current.tokens.access_token != connected.tokens.access_token:
                return self._account(current)
            try:
                tokens = await provider.refresh(self.http, current.tokens)
            except OAuthError as exc:
                if not exc.refused:
                    raise RetryableError(
                        f"token refresh failed for a while: {exc.reason}", code="refresh_failed"
                    ) from exc
                tokens = None
            except httpx.HTTPError as exc:
                raise RetryableError(
                    f"token refresh failed: {type(exc).__name__}", code="refresh_failed"
                ) from exc
            if tokens is None:
                await self.store.mark_reauth_required(current.summary.id, conn)
                log.warning("account needs re-authorisation", extra={"account": current.summary.id})
                return None
            await self.store.replace_tokens(conn, current.summary.id, tokens)
        return self._account(ConnectedAccount(current.summary, tokens))

    def _account(self, connected: ConnectedAccount) -> Account:
        s = connected.summary
        return Account(
            platform=s.platform,
            account_id=s.account_id,
            access_token=connected.tokens.access_token,
            token_secret=connected.tokens.token_secret,
            extra={ROW_ID: s.id},
        )


def publisher_accounts(
    settings: AccountSettings, from_settings: Callable[[], AccountResolver]
) -> Callable[[Infra, httpx.AsyncClient], AccountResolver]:
    """Which account resolver a publisher uses: connected accounts (default) or the environment's one."""
    if settings.accounts_source == "settings":
        return lambda infra, http: from_settings()
    if settings.token_encryption_keys is None:
        raise SystemExit(
            "HERALD_TOKEN_ENCRYPTION_KEYS is required to read connected accounts (HERALD_ACCOUNTS_SOURCE=database, "
            "the default); set HERALD_ACCOUNTS_SOURCE=settings for one static account per platform"
        )
    cipher = TokenCipher.from_setting(settings.token_encryption_keys.get_secret_value())

    def make(infra: Infra, http: httpx.AsyncClient) -> AccountResolver:
        assert infra.pool is not None
        return DatabaseAccounts(AccountStore(infra.pool, cipher), settings, http)

    return make

"""Which account resolver a publisher uses: connected accounts (default) or the environment's one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from herald_common.accounts.crypto import TokenCipher
from herald_common.accounts.resolver import DatabaseAccounts
from herald_common.accounts.settings import AccountSettings
from herald_common.accounts.store import AccountStore
from herald_common.publishing.accounts import AccountResolver
from herald_common.runtime import Infra

SCHEMA = "accounts"
MIGRATIONS = Path(__file__).parent / "migrations"


def publisher_accounts(
    settings: AccountSettings, from_settings: Callable[[], AccountResolver]
) -> Callable[[Infra, httpx.AsyncClient], AccountResolver]:
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

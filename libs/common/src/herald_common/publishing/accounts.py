"""Whose name a post goes out under: the connected account of a business on a platform.

Clients take tokens and ids only from the `Account` in each `PartRequest`, never from settings,
so where accounts come from (the environment today, OAuth connections in PostgreSQL later) is
the `AccountResolver`'s business alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from herald_common.platforms import Platform
from herald_common.publishing.outcomes import ReauthRequired


@dataclass(frozen=True)
class Account:
    platform: Platform
    account_id: str
    """LinkedIn author URN, X user id, Facebook page id, Instagram user id."""
    access_token: str = field(repr=False)
    token_secret: str | None = field(default=None, repr=False)
    """OAuth 1.0a token secret (X)."""
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)
    """E.g. the OAuth 1.0a consumer key and secret."""


class AccountResolver(Protocol):
    async def resolve(self, business_id: int, platform: Platform, account_id: str | None) -> Account:
        """The business's connected account; raises ReauthRequired when there is none or it is unusable."""
        ...

    async def refreshed(self, account: Account) -> Account | None:
        """Called after the platform rejected the token: a refreshed account, or None when it can't be refreshed."""
        ...


class SettingsAccounts:
    """One account per platform, from the service's settings (every business shares it).

    `missing` says, per platform, which settings to set when that account is absent: the
    reason a post then fails with, for the person reading it.
    """

    def __init__(
        self, accounts: Mapping[Platform, Account | None], missing: Mapping[Platform, str] | None = None
    ) -> None:
        self.accounts = dict(accounts)
        self.missing = dict(missing or {})

    async def resolve(self, business_id: int, platform: Platform, account_id: str | None) -> Account:
        account = self.accounts.get(platform)
        if account is None or not account.access_token:
            hint = self.missing.get(platform, "connect an account")
            raise ReauthRequired(f"no {platform.value} account is connected ({hint})", code="no_account")
        if account_id is not None and account.account_id and account_id != account.account_id:
            raise ReauthRequired(
                f"{platform.value} account {account_id} is not connected (only {account.account_id} is)",
                code="no_account",
            )
        return account

    async def refreshed(self, account: Account) -> Account | None:
        return None  # a token from the environment cannot be refreshed here

"""SettingsAccounts: the one account per platform from settings, and no token in any text."""

from __future__ import annotations

import pytest

from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.outcomes import ReauthRequired

X = Account(
    Platform.TWITTER, "42", "secret-token", token_secret="secret-2", extra={"consumer_secret": "secret-3"}
)


async def test_resolves_the_configured_account_and_never_refreshes() -> None:
    accounts = SettingsAccounts({Platform.TWITTER: X})
    assert await accounts.resolve(1, Platform.TWITTER, None) == X
    assert await accounts.resolve(2, Platform.TWITTER, "42") == X
    assert await accounts.refreshed(X) is None


async def test_missing_or_other_account_is_reauth_with_the_setting_to_set() -> None:
    accounts = SettingsAccounts(
        {Platform.TWITTER: X, Platform.LINKEDIN: None},
        {Platform.LINKEDIN: "set HERALD_LINKEDIN_ACCESS_TOKEN"},
    )
    with pytest.raises(ReauthRequired, match="HERALD_LINKEDIN_ACCESS_TOKEN") as caught:
        await accounts.resolve(1, Platform.LINKEDIN, None)
    assert caught.value.code == "no_account"
    with pytest.raises(ReauthRequired, match="account 7 is not connected"):
        await accounts.resolve(1, Platform.TWITTER, "7")


def test_repr_shows_no_secret() -> None:
    assert "secret" not in repr(X) and "42" in repr(X)

"""The composition root: the account from settings, and an app built without connecting."""

from __future__ import annotations

import pytest

from herald_common.platforms import Platform
from herald_common.publishing.outcomes import ReauthRequired
from herald_publisher_linkedin.main import create_app, settings_accounts
from herald_publisher_linkedin.settings import Settings


async def test_account_from_settings() -> None:
    settings = Settings(
        linkedin_access_token="dev-linkedin",
        linkedin_author_urn="urn:li:organization:7",
        accounts_source="settings",
    )
    account = await settings_accounts(settings).resolve(1, Platform.LINKEDIN, None)
    assert (account.account_id, account.access_token) == ("urn:li:organization:7", "dev-linkedin")
    with pytest.raises(ReauthRequired, match="HERALD_LINKEDIN_ACCESS_TOKEN"):
        await settings_accounts(Settings()).resolve(1, Platform.LINKEDIN, None)
    assert create_app(settings).title == "Herald publisher-linkedin"


def test_connected_accounts_need_the_encryption_keys() -> None:
    with pytest.raises(SystemExit, match="HERALD_TOKEN_ENCRYPTION_KEYS"):
        create_app(Settings(accounts_source="database"))
